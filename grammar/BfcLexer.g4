// Lexer for the bpfilter ruleset language (see docs/bfc.md and
// /work/shared/LANGUAGE.md for the language itself).
//
// The language is context sensitive at the token level: `10.0.0.0/8`,
// `echo-request`, `50%`, `syn,ack` or `fe80::/64` are single payloads after a
// matcher type, while the same characters mean nothing elsewhere. Like
// bpfilter's own flex lexer, this one is stateful; ANTLR lexer modes carry the
// state:
//
//   DEFAULT         keywords, names, hooks, matcher types
//   MATCHER_MODE    after a matcher type (`ip4.saddr`): `not`, an operator,
//                   then exactly one permissive PAYLOAD token
//   SET_KEY_MODE    inside `( ... )`: the key of a set
//   SET_REF_MODE    after the key's `)`: `not`, `in`, then `{` or a set name
//   SET_BODY_MODE   inside a set's `{ ... }`: elements; NEWLINE is a token
//                   here (it separates elements), and only here
//   HOOK_OPTS_MODE  inside `BF_HOOK_...{ ... }`: `key=value` pairs
//   VALUE_MODE      after `mark` or `every`: one permissive VALUE token
//   REDIRECT_IFACE_MODE, REDIRECT_DIR_MODE
//                   after `REDIRECT`: the interface, then the direction
//
// Every non-default mode is entered from DEFAULT (so the mode stack is at most
// one deep) and ends after its last token. A statement keyword (`chain`,
// `rule`, a verdict, ...) met in any other mode also ends that mode: a missing
// payload or `}` then becomes a precise syntax error instead of swallowing the
// rest of the file. Every mode ends with a catch-all rule, so the lexer
// accepts any input; characters that fit nowhere become UNKNOWN_CHAR tokens,
// which the parser reports.
lexer grammar BfcLexer;

tokens {
  NOT,
  OP,
  PAYLOAD,
  ELEMENT,
  NEWLINE,
  SEMI,
  RPAREN,
  RBRACE,
  EQUALS,
  OPT_WORD,
  VALUE,
  IFACE,
  DIRECTION,
  UNKNOWN_CHAR
}

@lexer::members {
  /// A statement keyword met inside a payload-like mode: leave that mode,
  /// give the token its keyword type and enter the mode the keyword itself
  /// starts (`mark` and `every` take a value, `REDIRECT` an interface).
  void escapeToDefaultMode() {
    const std::string text = getText();
    size_t keyword = HOOK;
    if (text == "chain") keyword = CHAIN;
    else if (text == "rule") keyword = RULE;
    else if (text == "set") keyword = SET;
    else if (text == "counter") keyword = COUNTER;
    else if (text == "log") keyword = LOG;
    else if (text == "mark") keyword = MARK;
    else if (text == "every") keyword = EVERY;
    else if (text == "ACCEPT") keyword = ACCEPT;
    else if (text == "DROP") keyword = DROP;
    else if (text == "CONTINUE") keyword = CONTINUE;
    else if (text == "NEXT") keyword = NEXT;
    else if (text == "REDIRECT") keyword = REDIRECT;
    setType(keyword);
    while (!modeStack.empty())
      popMode();
    if (keyword == MARK || keyword == EVERY)
      pushMode(VALUE_MODE);
    else if (keyword == REDIRECT)
      pushMode(REDIRECT_IFACE_MODE);
  }
}

// ---------------------------------------------------------------- DEFAULT --

WS : [ \t\r\n\f\u000B]+ -> skip ;
COMMENT : '#' ~[\n]* -> skip ;

// Statement and rule-option keywords (lower case).
CHAIN : 'chain' ;
RULE : 'rule' ;
SET : 'set' ;
COUNTER : 'counter' ;
LOG : 'log' ;
EVERY : 'every' -> pushMode(VALUE_MODE) ;
MARK : 'mark' -> pushMode(VALUE_MODE) ;

// Verdicts (upper case).
ACCEPT : 'ACCEPT' ;
DROP : 'DROP' ;
CONTINUE : 'CONTINUE' ;
NEXT : 'NEXT' ;
REDIRECT : 'REDIRECT' -> pushMode(REDIRECT_IFACE_MODE) ;

// Any hook spelling; lib/Sema rejects the unknown ones.
HOOK : 'BF_HOOK_' [A-Z0-9_]+ ;

// `header.field`, e.g. `ip4.saddr`; its payload follows.
MATCHER_TYPE : [a-z] [a-z0-9_]* '.' [a-z] [a-z0-9_]* -> pushMode(MATCHER_MODE) ;

LPAREN : '(' -> pushMode(SET_KEY_MODE) ;
// In the default mode a `{` can only open a hook's options.
LBRACE : '{' -> pushMode(HOOK_OPTS_MODE) ;
COMMA : ',' ;

// Chain and set names, log headers: anything up to a separator. Sema checks
// the characters; keeping the token wide gives better messages.
NAME : ~[ \t\r\n\f\u000B#(){},;=]+ ;

DEFAULT_UNKNOWN : . -> type(UNKNOWN_CHAR) ;

// ---------------------------------------------------------------- MATCHER --
mode MATCHER_MODE;

MATCHER_WS : [ \t\r\n\f\u000B]+ -> skip ;
MATCHER_COMMENT : '#' ~[\n]* -> skip ;
MATCHER_NOT : 'not' -> type(NOT) ;
MATCHER_OP : ('eq' | 'any' | 'all' | 'range' | 'in') -> type(OP) ;
MATCHER_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
// A second matcher type where a payload belongs: the payload is missing.
MATCHER_NEXT_TYPE : [a-z] [a-z0-9_]* '.' [a-z] [a-z0-9_]* -> type(MATCHER_TYPE) ;
MATCHER_LPAREN : '(' -> type(LPAREN), mode(SET_KEY_MODE) ;
// `TYPE in { ... }`: parsed so the parser can tell the user about `(TYPE)`.
MATCHER_LBRACE : '{' -> type(LBRACE), mode(SET_BODY_MODE) ;
PAYLOAD_TEXT : ~[ \t\r\n\f\u000B#(){};]+ -> type(PAYLOAD), popMode ;
MATCHER_UNKNOWN : . -> type(UNKNOWN_CHAR), popMode ;

// ---------------------------------------------------------------- SET KEY --
mode SET_KEY_MODE;

KEY_WS : [ \t\r\n\f\u000B]+ -> skip ;
KEY_COMMENT : '#' ~[\n]* -> skip ;
KEY_COMMA : ',' -> type(COMMA) ;
KEY_RPAREN : ')' -> type(RPAREN), mode(SET_REF_MODE) ;
KEY_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
// Any word: lib/Sema names the unknown matcher types.
KEY_TYPE : ~[ \t\r\n\f\u000B#,(){};]+ -> type(MATCHER_TYPE) ;
KEY_UNKNOWN : . -> type(UNKNOWN_CHAR) ;

// ---------------------------------------------------- SET REFERENCE / OP --
mode SET_REF_MODE;

REF_WS : [ \t\r\n\f\u000B]+ -> skip ;
REF_COMMENT : '#' ~[\n]* -> skip ;
REF_NOT : 'not' -> type(NOT) ;
REF_OP : ('eq' | 'any' | 'all' | 'range' | 'in') -> type(OP) ;
REF_LBRACE : '{' -> type(LBRACE), mode(SET_BODY_MODE) ;
REF_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
REF_NAME : ~[ \t\r\n\f\u000B#(){},;=]+ -> type(NAME), popMode ;
REF_UNKNOWN : . -> type(UNKNOWN_CHAR), popMode ;

// --------------------------------------------------------------- SET BODY --
mode SET_BODY_MODE;

BODY_WS : [ \t\r\f\u000B]+ -> skip ;
BODY_COMMENT : '#' ~[\n]* -> skip ;
BODY_NEWLINE : '\n' -> type(NEWLINE) ;
BODY_SEMI : ';' -> type(SEMI) ;
BODY_COMMA : ',' -> type(COMMA) ;
BODY_RBRACE : '}' -> type(RBRACE), popMode ;
BODY_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
BODY_ELEMENT : ~[ \t\r\n\f\u000B#,;{}]+ -> type(ELEMENT) ;
BODY_UNKNOWN : . -> type(UNKNOWN_CHAR) ;

// ----------------------------------------------------------- HOOK OPTIONS --
mode HOOK_OPTS_MODE;

OPTS_WS : [ \t\r\n\f\u000B]+ -> skip ;
OPTS_COMMENT : '#' ~[\n]* -> skip ;
OPTS_COMMA : ',' -> type(COMMA) ;
OPTS_EQUALS : '=' -> type(EQUALS) ;
OPTS_RBRACE : '}' -> type(RBRACE), popMode ;
OPTS_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
OPTS_WORD : ~[ \t\r\n\f\u000B#,={}]+ -> type(OPT_WORD) ;
OPTS_UNKNOWN : . -> type(UNKNOWN_CHAR) ;

// ------------------------------------------------- VALUE (mark, every) --
mode VALUE_MODE;

VALUE_WS : [ \t\r\n\f\u000B]+ -> skip ;
VALUE_COMMENT : '#' ~[\n]* -> skip ;
VALUE_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
VALUE_TEXT : ~[ \t\r\n\f\u000B#(){},;]+ -> type(VALUE), popMode ;
VALUE_UNKNOWN : . -> type(UNKNOWN_CHAR), popMode ;

// ------------------------------------------------ REDIRECT IFACE in|out --
mode REDIRECT_IFACE_MODE;

IFACE_WS : [ \t\r\n\f\u000B]+ -> skip ;
IFACE_COMMENT : '#' ~[\n]* -> skip ;
IFACE_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
IFACE_TEXT : ~[ \t\r\n\f\u000B#(){},;]+ -> type(IFACE), mode(REDIRECT_DIR_MODE) ;
IFACE_UNKNOWN : . -> type(UNKNOWN_CHAR), popMode ;

mode REDIRECT_DIR_MODE;

DIR_WS : [ \t\r\n\f\u000B]+ -> skip ;
DIR_COMMENT : '#' ~[\n]* -> skip ;
DIR_KEYWORD : KEYWORD { escapeToDefaultMode(); } ;
// Any word: the parser checks for `in` or `out` and says so.
DIR_TEXT : ~[ \t\r\n\f\u000B#(){},;]+ -> type(DIRECTION), popMode ;
DIR_UNKNOWN : . -> type(UNKNOWN_CHAR), popMode ;

// -------------------------------------------------------------- fragments --

// The words that end any payload-like mode (see escapeToDefaultMode()).
fragment KEYWORD
  : 'chain' | 'rule' | 'set' | 'counter' | 'log' | 'mark' | 'every'
  | 'ACCEPT' | 'DROP' | 'CONTINUE' | 'NEXT' | 'REDIRECT'
  | 'BF_HOOK_' [A-Z0-9_]+
  ;
