// The text of a packet spec: layers and their arguments (SpecText.h).
#include "SpecText.h"

namespace bfc::packet::detail {

namespace {

bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool isValueChar(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && c != ',' && c != '(' &&
         c != ')' && c != '/';
}

class SpecLexer {
public:
  explicit SpecLexer(std::string_view spec) : spec_(spec) {}

  Expected<std::vector<LayerSpec>> parse() {
    std::vector<LayerSpec> layers;
    skipSpace();
    if (pos_ == spec_.size())
      return specError(0, "empty packet spec");
    while (true) {
      auto layer = parseLayer();
      if (!layer)
        return std::move(layer).error();
      layers.push_back(std::move(*layer));
      skipSpace();
      if (pos_ == spec_.size())
        break;
      if (spec_[pos_] != '/')
        return specError(pos_, fmt::format("expected '/' between layers, "
                                           "found '{}'",
                                           spec_[pos_]));
      ++pos_;
      skipSpace();
    }
    return layers;
  }

private:
  void skipSpace() {
    while (pos_ < spec_.size() &&
           std::isspace(static_cast<unsigned char>(spec_[pos_])))
      ++pos_;
  }

  Expected<std::string> ident(std::string_view what) {
    size_t start = pos_;
    while (pos_ < spec_.size() && isIdentChar(spec_[pos_]))
      ++pos_;
    if (start == pos_)
      return specError(
          start, pos_ < spec_.size()
                     ? fmt::format("expected {}, found '{}'", what, spec_[pos_])
                     : fmt::format("expected {} at the end of the spec", what));
    return std::string(spec_.substr(start, pos_ - start));
  }

  Expected<std::string> value(std::string_view key) {
    size_t start = pos_;
    while (pos_ < spec_.size() && isValueChar(spec_[pos_]))
      ++pos_;
    if (start == pos_)
      return specError(start, fmt::format("missing value for '{}'", key));
    return std::string(spec_.substr(start, pos_ - start));
  }

  Expected<LayerSpec> parseLayer() {
    LayerSpec layer;
    layer.offset = pos_;
    auto name = ident("a layer name");
    if (!name)
      return std::move(name).error();
    layer.name = std::move(*name);
    skipSpace();
    if (pos_ < spec_.size() && spec_[pos_] == '=') {
      ++pos_;
      skipSpace();
      Arg arg;
      arg.key = layer.name;
      arg.keyOffset = layer.offset;
      arg.valueOffset = pos_;
      auto text = value(layer.name);
      if (!text)
        return std::move(text).error();
      arg.value = std::move(*text);
      layer.args.push_back(std::move(arg));
      layer.shorthand = true;
      return layer;
    }
    if (pos_ == spec_.size() || spec_[pos_] != '(')
      return layer;
    size_t open = pos_++;
    skipSpace();
    if (pos_ < spec_.size() && spec_[pos_] == ')') {
      ++pos_;
      return layer;
    }
    while (true) {
      skipSpace();
      auto arg = parseArg(layer);
      if (!arg)
        return std::move(arg).error();
      layer.args.push_back(std::move(*arg));
      skipSpace();
      if (pos_ == spec_.size())
        return specError(open, fmt::format("unclosed '(' in {}", layer.name));
      if (spec_[pos_] == ')') {
        ++pos_;
        return layer;
      }
      if (spec_[pos_] != ',')
        return specError(
            pos_, fmt::format("expected ',' or ')', found '{}'", spec_[pos_]));
      ++pos_;
    }
  }

  /// `key=value` inside `layer(...)`.
  Expected<Arg> parseArg(const LayerSpec &layer) {
    Arg arg;
    arg.keyOffset = pos_;
    auto key = ident("a field name");
    if (!key)
      return std::move(key).error();
    arg.key = std::move(*key);
    for (const Arg &other : layer.args)
      if (other.key == arg.key)
        return specError(arg.keyOffset, fmt::format("field '{}' given twice "
                                                    "in {}",
                                                    arg.key, layer.name));
    skipSpace();
    if (pos_ == spec_.size() || spec_[pos_] != '=')
      return specError(pos_, fmt::format("expected '=' after '{}'", arg.key));
    ++pos_;
    skipSpace();
    arg.valueOffset = pos_;
    auto text = value(arg.key);
    if (!text)
      return std::move(text).error();
    arg.value = std::move(*text);
    return arg;
  }

  std::string_view spec_;
  size_t pos_ = 0;
};

} // namespace

Expected<std::vector<LayerSpec>> parseSpecText(std::string_view spec) {
  return SpecLexer(spec).parse();
}

} // namespace bfc::packet::detail
