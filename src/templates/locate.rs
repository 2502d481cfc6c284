//! Where a key, a value or a text stands in a profile file, as `line:col` (1-based, the
//! column in characters), so each problem of `templates check` points at its place.

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The line of `key = …` inside `[table]` (or at the top when `table` is empty).
pub fn locate_key(text: &str, table: &str, key: &str) -> (usize, usize) {
    let start = table_start(text, table);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if offset > start && trimmed.starts_with('[') {
            break; // the next table
        }
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return line_col(text, offset + (line.len() - trimmed.len()));
            }
        }
        offset += line.len();
    }
    line_col(text, start)
}

/// Where `value` is written in `key = […]` of `[table]`.
pub fn locate_value(text: &str, table: &str, key: &str, value: &str) -> (usize, usize) {
    let (line, _) = locate_key(text, table, key);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    match line_text.find(&format!("\"{value}\"")) {
        Some(i) => (line, line_text[..i].chars().count() + 1),
        None => (line, 1),
    }
}

/// Byte offset of the line after `[table]` (0 for the top).
fn table_start(text: &str, table: &str) -> usize {
    if table.is_empty() {
        return 0;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t == format!("[{table}]") || t.starts_with(&format!("[{table}]")) {
            return offset + line.len();
        }
        offset += line.len();
    }
    0
}

/// Where `needle` first stands in `text` (line 1 when nowhere).
pub fn locate_text(text: &str, needle: &str) -> (usize, usize) {
    text.find(needle).map_or((1, 1), |i| line_col(text, i))
}

/// The `n`th (0-based) line that is exactly `marker`.
pub fn nth_line_of(text: &str, marker: &str, n: usize) -> (usize, usize) {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == marker)
        .nth(n)
        .map_or((1, 1), |(i, _)| (i + 1, 1))
}

/// The `{name}` holes of a template text.
pub fn holes(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncdé\nf", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé\nf", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé\nf", 8), (3, 1));
    }
}
