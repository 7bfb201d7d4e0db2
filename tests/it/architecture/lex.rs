//! Just enough of a Rust lexer for module paths: identifiers, `::`,
//! punctuation and string literals (kept, for `#[path = "…"]`), with line
//! numbers. Comments, char literals, lifetimes and numbers are dropped, so
//! a path in a comment or a string is never taken for an import.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
    Str(String),
}

/// Tokens with their 1-based line numbers.
pub fn lex(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= c.len() {
                    break;
                } else if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            let start = line;
            let (s, next) = string(&c, i + 1, 0, &mut line);
            out.push((Tok::Str(s), start));
            i = next;
        } else if ch == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let s = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            // Raw and byte strings: r"…", r#"…"#, b"…", br#"…"#, c"…".
            let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if (raw || matches!(word.as_str(), "b" | "c") && hashes == 0) && at(i + hashes) == '"' {
                let start = line;
                let (s, next) = string(
                    &c,
                    i + hashes + 1,
                    if raw { hashes + 1 } else { 0 },
                    &mut line,
                );
                out.push((Tok::Str(s), start));
                i = next;
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push((Tok::Sep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// A string body from `i` to its closing quote; `raw` is 0 for an escaped
/// string, else 1 + the number of `#`s closing a raw one. Returns the text
/// and the index after the closing delimiter.
fn string(c: &[char], mut i: usize, raw: usize, line: &mut usize) -> (String, usize) {
    let start = i;
    while i < c.len() {
        if c[i] == '\n' {
            *line += 1;
        }
        if raw == 0 && c[i] == '\\' {
            i += 2;
            continue;
        }
        if c[i] == '"'
            && (raw == 0 || c[i + 1..].iter().take_while(|&&h| h == '#').count() >= raw - 1)
        {
            let end = i;
            let close = if raw == 0 { 1 } else { raw };
            return (c[start..end].iter().collect(), i + close);
        }
        i += 1;
    }
    (c[start..].iter().collect(), c.len())
}
