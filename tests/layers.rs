//! The layers of ARCHITECTURE.md, checked on the source: every `crate::…` path a module
//! names outside a comment is an import edge (a doc link is not a dependency), and an edge from a lower layer to a higher one is a
//! back-edge. The back-edges the code still has are listed here by name; the test
//! fails on a new one (or a new module outside every layer), and on a listed one that
//! is gone, so the list stays the truth and only shrinks.

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
    &["compare", "merge", "diff", "rollover", "templates"],
    &["write", "export"],
    &["pipeline"],
    &["cli", "main", "lib"],
];

/// Back-edges the code has today (`from -> to`, by file-level module), each to be
/// removed by moving what is shared down a layer (see ARCHITECTURE.md).
const KNOWN_BACK_EDGES: &[&str] = &[
    "diff::render -> export",
    "diff::render -> pipeline",
    "profile -> diff::grades",
    "profile -> error",
];

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

/// How many modules sit in an import circle today: the test fails when it grows and
/// asks for the number to be lowered when it shrinks.
const KNOWN_MODULES_IN_CIRCLES: usize = 12;

#[test]
fn import_circles_do_not_grow() {
    let graph = import_graph();
    let found = circles(&graph);
    let count: usize = found.iter().map(BTreeSet::len).sum();
    eprintln!("modules in import circles: {count}: {found:?}");
    assert!(
        count <= KNOWN_MODULES_IN_CIRCLES,
        "{count} modules import each other in a circle (known: {KNOWN_MODULES_IN_CIRCLES}): {found:?}"
    );
    assert_eq!(
        count, KNOWN_MODULES_IN_CIRCLES,
        "fewer modules in import circles than known: lower KNOWN_MODULES_IN_CIRCLES to {count}"
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
