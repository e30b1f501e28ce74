// Parser for the bpfilter ruleset language; tokens come from BfcLexer.g4.
//
// A ruleset is a flat sequence of statements (a chain header, a set
// declaration or a rule); sets and rules belong to the chain header before
// them. lib/Parse groups them into chains and checks the order (sets before
// rules, nothing before the first chain). The flat shape is what makes error
// recovery good: after a syntax error the parser skips to the next `chain`,
// `set` or `rule` keyword and goes on, so one mistake gives one diagnostic and
// the rest of the file is still checked.
//
// Payloads stay raw text (PAYLOAD, ELEMENT, VALUE, ...): lib/Sema parses
// addresses, ports, protocol names and so on, and reports what is wrong with
// them.
parser grammar BfcParser;

options {
  tokenVocab = BfcLexer;
}

ruleset
  : statement* EOF
  ;

statement
  : chainHeader
  | setDecl
  | ruleDecl
  ;

// chain NAME HOOK[{OPT=VAL,...}] POLICY
chainHeader
  : CHAIN NAME HOOK hookOptions? policy
  ;

// bpfilter ignores the commas between options, so `{a=1 b=2}` and `{a=1,}`
// are accepted as well.
hookOptions
  : LBRACE (hookOption | COMMA)* RBRACE
  ;

hookOption
  : OPT_WORD EQUALS OPT_WORD
  ;

// Every verdict keyword is accepted here; lib/Parse reports the ones that
// cannot be a policy (CONTINUE, REDIRECT) with a dedicated message.
policy
  : ACCEPT
  | DROP
  | NEXT
  | CONTINUE
  | REDIRECT
  ;

// set NAME (KEY, ...) in { ELEMENTS }
setDecl
  : SET NAME setKey OP setBody
  ;

setKey
  : LPAREN MATCHER_TYPE (COMMA MATCHER_TYPE)* RPAREN
  ;

// Elements are separated by `;` or newlines. lib/Parse checks that two
// elements are not written side by side without a separator.
setBody
  : LBRACE (setElement | setSeparator)* RBRACE
  ;

setSeparator
  : SEMI
  | NEWLINE
  ;

// Components are separated by `,`; a newline may follow a comma.
setElement
  : ELEMENT (COMMA NEWLINE* ELEMENT)*
  ;

// rule MATCHER... OPTION... VERDICT. Matchers and options are accepted in
// any order so that lib/Parse can say "matchers come before options"
// instead of a generic syntax error.
ruleDecl
  : RULE (matcher | ruleOption)* verdict
  ;

matcher
  : fieldMatcher
  | setMatcher
  ;

// TYPE [not] [OP] PAYLOAD. The `{...}` alternative is not valid (`in` needs
// the `(TYPE) in {...}` form); it is parsed so lib/Parse can say so.
fieldMatcher
  : MATCHER_TYPE NOT? OP? (PAYLOAD | setBody)
  ;

// (TYPE[, TYPE...]) [not] in { ELEMENTS } | (TYPE[, TYPE...]) [not] in NAME
setMatcher
  : setKey NOT? OP (setBody | NAME)
  ;

ruleOption
  : logOption
  | counterOption
  | markOption
  ;

// log [HEADER[,HEADER...]] [every FREQ]
logOption
  : LOG (NAME (COMMA NAME)*)? (EVERY VALUE)?
  ;

counterOption
  : COUNTER
  ;

markOption
  : MARK VALUE
  ;

verdict
  : ACCEPT
  | DROP
  | CONTINUE
  | NEXT
  | REDIRECT IFACE DIRECTION
  ;
