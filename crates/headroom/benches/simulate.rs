//! The floor of `headroom simulate`: drawing the lead-gen profile's four
//! uncertain inputs (config/leadgen-insurance.toml) and nothing else.

use std::collections::BTreeMap;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use headroom::simulate::{draw_only, Distribution};

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

criterion_group!(benches, floor);
criterion_main!(benches);
