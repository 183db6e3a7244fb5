//! `headroom simulate` on the lead-gen profile (config/leadgen-insurance.toml:
//! users and leads/day at 12 months, peak factor, API capacity uncertain):
//! 1,000,000 draws x 13 months x 4 tiers with P50 / P90 / P99, plugin calls
//! included, beside its floor (drawing the four inputs and nothing else).
//!
//! The plugin is loaded from `HEADROOM_BENCH_PLUGINS` (set by `cargo xtask
//! bench` to its release build), else `target/plugins`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use headroom::config::{self, Sources};
use headroom::registry::Registry;
use headroom::simulate::{draw_only, simulate, simulate_with, Distribution, DrawCount, Options};

fn floor(c: &mut Criterion) {
    let inputs: BTreeMap<String, Distribution> = [
        ("users", Distribution::Lognormal { median: 10_000.0, sigma: 0.25 }),
        ("leads", Distribution::Lognormal { median: 1_000_000.0, sigma: 0.25 }),
        ("peak", Distribution::Triangular { min: 2.0, mode: 3.0, max: 5.0 }),
        ("capacity", Distribution::Normal { mean: 250.0, sd: 20.0 }),
    ]
    .into_iter()
    .map(|(k, d)| (k.to_string(), d))
    .collect();
    let mut group = c.benchmark_group("simulate floor");
    group.sample_size(20);
    group.bench_function("draw 4 inputs x 1,000,000 draws", |b| {
        b.iter(|| draw_only(black_box(&inputs), 1_000_000, 42))
    });
    group.finish();
}

fn monte_carlo(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var_os("HEADROOM_BENCH_PLUGINS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/plugins"));
    let registry = match Registry::scan(std::slice::from_ref(&dir), true) {
        Ok(registry) => registry,
        Err(e) => {
            eprintln!("simulate bench skipped: {e} (run `cargo xtask build --release`)");
            return;
        }
    };
    let Ok(profile) = registry.get("leadgen-insurance") else {
        eprintln!("simulate bench skipped: no leadgen-insurance plugin in {}", dir.display());
        return;
    };
    let sources = Sources {
        config_dir: Some(root.join("config")),
        files: Vec::new(),
        environment: false,
        known_profiles: registry.ids(),
        sets: Vec::new(),
    };
    let layered = match config::load(profile, &sources) {
        Ok(layered) => layered,
        Err(e) => {
            eprintln!("simulate bench skipped: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("simulate leadgen-insurance");
    group.sample_size(10);
    group.bench_function("1,000,000 draws x 13 months x 4 tiers", |b| {
        b.iter(|| simulate(profile, &layered, Some(1_000_000), Some(42), None).map(|s| s.draws))
    });
    // The reference path, a full plan a draw, on 2,000 draws.
    let exact =
        Options { draws: Some(DrawCount::Count(2_000)), seed: Some(42), months: None, exact: true };
    group.bench_function("2,000 draws, each planned in full (--exact)", |b| {
        b.iter(|| simulate_with(profile, &layered, &exact, &|_, _| {}).map(|s| s.draws))
    });
    group.finish();
}

criterion_group!(benches, floor, monte_carlo);
criterion_main!(benches);
