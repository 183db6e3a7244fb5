//! The source documents and the shipped config: every number of each
//! document is in its profile's config, and every number of the config
//! names the section it came from or is marked as an assumption.

use std::collections::BTreeSet;

use crate::support::root;

const PROFILES: &[(&str, &str)] = &[
    ("leadgen-insurance", "000_19909b781fb85080.txt"),
    ("hostel-complaints", "004_1cbb8b3ac1c7818c.txt"),
];

/// Numbers of a text: digit runs (with thousands commas and a decimal
/// point) not glued to a letter before them (so `r6i`, `P95`, `S3` are
/// names, not numbers). A number followed by `%` also stands as a fraction.
fn numbers(text: &str) -> Vec<(String, Vec<f64>)> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let glued =
            i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.' || chars[i - 1] == '_');
        if chars[i].is_ascii_digit() && !glued {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || ((chars[i] == ',' || chars[i] == '.')
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            let token: String = chars[start..i].iter().collect();
            let value: f64 = token.replace(',', "").parse().unwrap();
            let mut values = vec![value];
            if chars.get(i) == Some(&'%') {
                values.push(value / 100.0);
            }
            found.push((token, values));
        } else {
            i += 1;
        }
    }
    found
}

/// The document's numbers, less section numbers of headings and list items.
fn document_numbers(text: &str) -> Vec<(String, Vec<f64>)> {
    let mut all = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start_matches('#').trim_start();
        let is_heading = line.starts_with('#');
        let is_list = trimmed
            .split_once(". ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty());
        let mut found = numbers(trimmed);
        if (is_heading || is_list)
            && trimmed.starts_with(|c: char| c.is_ascii_digit())
            && !found.is_empty()
        {
            found.remove(0);
        }
        all.extend(found);
    }
    all
}

/// Every number among the config's values: numeric values, and numbers
/// written inside string values. Comments do not count.
fn config_values(item: &toml_edit::Item, into: &mut BTreeSet<u64>) {
    use toml_edit::{Item, Value};
    fn value(v: &Value, into: &mut BTreeSet<u64>) {
        match v {
            Value::Integer(i) => {
                into.insert((*i.value() as f64).to_bits());
            }
            Value::Float(f) => {
                into.insert(f.value().to_bits());
            }
            Value::String(s) => {
                for (_, values) in numbers(s.value()) {
                    into.extend(values.iter().map(|x| x.to_bits()));
                }
            }
            Value::Array(a) => a.iter().for_each(|v| value(v, into)),
            Value::InlineTable(t) => t.iter().for_each(|(_, v)| value(v, into)),
            _ => {}
        }
    }
    match item {
        Item::Value(v) => value(v, into),
        Item::Table(t) => t.iter().for_each(|(_, i)| config_values(i, into)),
        Item::ArrayOfTables(a) => {
            a.iter().for_each(|t| t.iter().for_each(|(_, i)| config_values(i, into)))
        }
        Item::None => {}
    }
}

fn parse(id: &str) -> toml_edit::DocumentMut {
    let path = root().join(format!("config/{id}.toml"));
    std::fs::read_to_string(&path)
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_number_of_each_document_is_in_its_config() {
    for (id, _) in PROFILES {
        let source =
            std::fs::read_to_string(root().join(format!("plugins/{id}/SOURCE.md"))).unwrap();
        let mut values = BTreeSet::new();
        config_values(parse(id).as_item(), &mut values);
        let missing: Vec<String> = document_numbers(&source)
            .into_iter()
            .filter(|(_, candidates)| !candidates.iter().any(|c| values.contains(&c.to_bits())))
            .map(|(token, _)| token)
            .collect();
        assert!(
            missing.is_empty(),
            "config/{id}.toml lacks these numbers of its document: {missing:?}"
        );
    }
}

#[test]
fn the_number_check_is_not_vacuous() {
    // A config lacking a document's figure must fail the check above.
    let mut values = BTreeSet::new();
    let doc: toml_edit::DocumentMut = "a = 250\nb = \"4 vCPU\"\n".parse().unwrap();
    config_values(doc.as_item(), &mut values);
    let tokens = document_numbers("## 3.1 Tier\n- **Max**: 250 users, 4 vCPU, 20% headroom, r6i\n");
    let missing: Vec<&str> = tokens
        .iter()
        .filter(|(_, c)| !c.iter().any(|x| values.contains(&x.to_bits())))
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(missing, ["20"]);
}

/// Numeric values whose line names no source: no `§` and no "assumption"
/// in the comment after the value or on its table's header.
fn unsourced(table: &toml_edit::Table, path: &str, inherited: bool, out: &mut Vec<String>) {
    use toml_edit::{Item, Value};
    let sourced = |text: &str| text.contains('§') || text.contains("assumption");
    let header = table.decor().suffix().and_then(|s| s.as_str()).is_some_and(sourced);
    let inherited = inherited || header;
    for (key, item) in table.iter() {
        let here = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
        match item {
            Item::Value(value) => {
                let numeric = match value {
                    Value::Integer(_) | Value::Float(_) => true,
                    Value::Array(a) => {
                        a.iter().any(|v| matches!(v, Value::Integer(_) | Value::Float(_)))
                    }
                    _ => false,
                };
                let comment = value.decor().suffix().and_then(|s| s.as_str()).unwrap_or_default();
                if numeric && !inherited && !sourced(comment) {
                    out.push(here);
                }
            }
            Item::Table(t) => unsourced(t, &here, inherited, out),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    unsourced(t, &format!("{here}[{i}]"), inherited, out);
                }
            }
            Item::None => {}
        }
    }
}

#[test]
fn every_config_number_names_its_section_or_is_an_assumption() {
    for (id, _) in PROFILES {
        let mut missing = Vec::new();
        unsourced(parse(id).as_table(), "", false, &mut missing);
        assert!(
            missing.is_empty(),
            "config/{id}.toml: these numbers name no § section and no assumption: {missing:?}"
        );
    }
}

#[test]
fn vendored_documents_match_the_shared_seeds() {
    let shared = root().join("../shared/seeds");
    if !shared.is_dir() {
        eprintln!("no ../shared/seeds beside the repository: nothing to compare");
        return;
    }
    for (id, seed) in PROFILES {
        let vendored =
            std::fs::read_to_string(root().join(format!("plugins/{id}/SOURCE.md"))).unwrap();
        let original = std::fs::read_to_string(shared.join(seed)).unwrap();
        assert_eq!(vendored, original, "plugins/{id}/SOURCE.md differs from shared/seeds/{seed}");
    }
}
