//! The layers of ARCHITECTURE.md, checked on the source: every `crate::…` path a module
//! names outside a comment is an import edge (a doc link is not a dependency), and an
//! edge from a lower layer to a higher one is a back-edge. There are none, and no import
//! circles; a new module outside every layer fails too. The sizes are checked here as
//! well: no function over 120 lines and no file over 600 but the few listed with why
//! (the lists fail on an entry that is no longer true, so they only shrink).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers from the ground up; a module is placed by its first path segment.
const LAYERS: &[&[&str]] = &[
    &["text", "model", "limits", "progress"],
    &["profile"],
    &[
        "value", "row_text", "numfmt", "problem", "error", "output", "renames",
    ],
    &["read"],
    &[
        "compare",
        "merge",
        "join",
        "consolidate",
        "diff",
        "rollover",
        "templates",
    ],
    &["write", "export", "libreoffice"],
    &["pipeline"],
    &["cli", "serve", "main", "lib"],
];

/// Back-edges the code may have (`from -> to`, by file-level module): none. What two
/// layers share moves down a layer (see ARCHITECTURE.md) rather than onto this list.
const KNOWN_BACK_EDGES: &[&str] = &[];

fn layer_of(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap_or(module);
    LAYERS.iter().position(|layer| layer.contains(&top))
}

/// `src/read/xlsx.rs` → `read::xlsx`, `src/read/mod.rs` → `read`.
fn module_name(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = match parts.last().map(String::as_str) {
        Some("mod") => parts[..parts.len() - 1]
            .iter()
            .map(String::as_str)
            .collect(),
        _ => parts.iter().map(String::as_str).collect(),
    };
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every module of `src/` and the modules it names (`crate::a::b` → `a::b` when that is
/// a module of its own, else `a`).
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_name(f, &src)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let from = module_name(file, &src);
        // comments name other modules (doc links) without depending on them
        let text: String = std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut to = BTreeSet::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let Some(first) = segments.first() else {
                continue;
            };
            let target = match segments.get(1) {
                Some(second) if modules.contains(&format!("{first}::{second}")) => {
                    format!("{first}::{second}")
                }
                _ => first.to_string(),
            };
            if modules.contains(&target) && target != from {
                to.insert(target);
            }
        }
        graph.insert(from, to);
    }
    graph
}

#[test]
fn every_module_has_a_layer() {
    let graph = import_graph();
    let outside: Vec<&String> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        outside.is_empty(),
        "modules in no layer of ARCHITECTURE.md: {outside:?}"
    );
}

#[test]
fn imports_go_down_the_layers_but_for_the_known_back_edges() {
    let graph = import_graph();
    let mut back = BTreeSet::new();
    for (from, tos) in &graph {
        for to in tos {
            if let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) {
                let same_top = from.split("::").next() == to.split("::").next();
                if a < b && !same_top {
                    back.insert(format!("{from} -> {to}"));
                }
            }
        }
    }
    let known: BTreeSet<String> = KNOWN_BACK_EDGES.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = back.difference(&known).collect();
    let gone: Vec<&String> = known.difference(&back).collect();
    eprintln!("back-edges: {} ({} known)", back.len(), known.len());
    assert!(
        new.is_empty(),
        "imports from a lower layer to a higher one: {new:?}"
    );
    assert!(
        gone.is_empty(),
        "back-edges no longer in the code: take them off KNOWN_BACK_EDGES: {gone:?}"
    );
}

/// The modules that import each other in a circle (strongly connected, more than one).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    // reachability by a walk from each module: small graph, simple is clear
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for to in graph.get(&m).into_iter().flatten() {
                if seen.insert(to.clone()) {
                    todo.push(to.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for m in graph.keys() {
        if out.iter().any(|c| c.contains(m)) || !reaches[m].contains(m) {
            continue;
        }
        let circle: BTreeSet<String> = graph
            .keys()
            .filter(|n| reaches[m].contains(*n) && reaches[*n].contains(m))
            .cloned()
            .collect();
        out.push(circle);
    }
    out
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let graph = import_graph();
    let found = circles(&graph);
    let count: usize = found.iter().map(BTreeSet::len).sum();
    eprintln!("modules in import circles: {count}: {found:?}");
    assert!(
        found.is_empty(),
        "{count} modules import each other in a circle: {found:?}"
    );
}

#[test]
fn the_check_sees_a_back_edge() {
    // the checker itself: a lower module naming a higher one is seen as such
    assert!(layer_of("model") < layer_of("write::book"));
    assert!(layer_of("read::xlsx") < layer_of("write::xlsx"));
    assert_eq!(layer_of("nowhere"), None);
    // and a circle is found as one
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
            .iter()
            .map(|(f, t)| (f.to_string(), BTreeSet::from([t.to_string()])))
            .collect();
    let found = circles(&graph);
    assert_eq!(
        found,
        vec![BTreeSet::from(["a".into(), "b".into(), "c".into()])]
    );
}

/// The longest a function may be, in lines from `fn` to its closing brace: longer ones
/// are split into named steps a reader can hold in their head.
const MAX_FN_LINES: usize = 120;

/// Functions still longer (`path::name`, the path under `src/`), each with why: the list
/// only shrinks (the test fails on a listed one that has become short or gone).
const LONG_FNS: &[(&str, &str)] = &[];

/// The longest a source file may be unless it does one job.
const MAX_FILE_LINES: usize = 600;

/// Files longer than that, each one job (ARCHITECTURE.md says which and why).
const LONG_FILES: &[(&str, &str)] = &[(
    "write/xlsx/cells.rs",
    "the big sheets' cells as sheet XML, formats numbered once: one job",
)];

/// The source with comments, strings and character literals blanked out (newlines
/// kept), so that braces and `fn` are only seen where they are code.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
        {
            // a raw string: r"…", r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.extend(chars[i..j.min(chars.len())].iter().map(|&c| blank(c)));
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // a character literal ('x', '\n', '\u{7b}'), not a lifetime ('a)
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(std::iter::repeat_n(' ', end + 1 - i));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every function with a body in a source text: its name and its length in lines, from
/// the line of `fn` to the line of its closing brace.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let code = code_only(text);
    let bytes = code.as_bytes();
    let line_at = |at: usize| code[..at].matches('\n').count();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("fn ") {
        let at = from + found;
        from = at + 3;
        if at > 0 && is_ident(bytes[at - 1]) {
            continue;
        }
        let name: String = code[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue; // `fn(` as a type
        }
        // the body's opening brace, or `;` for a declaration without one
        let mut depth = 0i32;
        let mut open = None;
        for (j, &b) in bytes.iter().enumerate().skip(at) {
            match b {
                b'(' | b'[' | b'<' => depth += 1,
                b')' | b']' => depth -= 1,
                b'>' if bytes[j - 1] != b'-' && bytes[j - 1] != b'=' => depth -= 1,
                b';' if depth <= 0 => break,
                b'{' if depth <= 0 => {
                    open = Some(j);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut braces = 0;
        let close = (open..bytes.len()).find(|&j| {
            match bytes[j] {
                b'{' => braces += 1,
                b'}' => braces -= 1,
                _ => {}
            }
            braces == 0
        });
        if let Some(close) = close {
            out.push((name, line_at(close) - line_at(at) + 1));
        }
    }
    out
}

/// Every source file under `src/` as (`path` under `src/`, text).
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .map(|f| {
            let rel = f
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(f).unwrap())
        })
        .collect()
}

#[test]
fn no_function_is_longer_than_a_reader_can_hold() {
    let mut long = BTreeMap::new();
    for (path, text) in sources() {
        for (name, lines) in function_lengths(&text) {
            if lines > MAX_FN_LINES {
                long.insert(format!("{path}::{name}"), lines);
            }
        }
    }
    eprintln!("functions over {MAX_FN_LINES} lines: {long:?}");
    let listed: BTreeSet<String> = LONG_FNS.iter().map(|(f, _)| f.to_string()).collect();
    let new: Vec<_> = long.iter().filter(|(f, _)| !listed.contains(*f)).collect();
    let gone: Vec<_> = listed.iter().filter(|f| !long.contains_key(*f)).collect();
    assert!(
        new.is_empty(),
        "functions over {MAX_FN_LINES} lines: split them into named steps: {new:?}"
    );
    assert!(
        gone.is_empty(),
        "listed long functions now short or gone: take them off LONG_FNS: {gone:?}"
    );
}

#[test]
fn no_file_is_long_unless_it_does_one_job() {
    let mut long = BTreeMap::new();
    for (path, text) in sources() {
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            long.insert(path, lines);
        }
    }
    eprintln!("files over {MAX_FILE_LINES} lines: {long:?}");
    let listed: BTreeSet<String> = LONG_FILES.iter().map(|(f, _)| f.to_string()).collect();
    let new: Vec<_> = long.iter().filter(|(f, _)| !listed.contains(*f)).collect();
    let gone: Vec<_> = listed.iter().filter(|f| !long.contains_key(*f)).collect();
    assert!(
        new.is_empty(),
        "files over {MAX_FILE_LINES} lines: split them by job or list them with why: {new:?}"
    );
    assert!(
        gone.is_empty(),
        "listed long files now short or gone: take them off LONG_FILES: {gone:?}"
    );
}

#[test]
fn the_length_check_sees_a_function() {
    let text = "fn a() {\n    let s = \"}\";\n    let c = '{';\n    // }\n}\n\
                pub(crate) fn b<T: Into<u8>>(x: [u8; 2]) -> Vec<T>\nwhere T: Copy\n{\n    if true { }\n}\n\
                trait T { fn c(&self); }\nfn d(f: fn(u8) -> u8) { let r = r#\"{\"#; }\n";
    assert_eq!(
        function_lengths(text),
        vec![
            ("a".to_string(), 5),
            ("b".to_string(), 5),
            ("d".to_string(), 1)
        ]
    );
}
