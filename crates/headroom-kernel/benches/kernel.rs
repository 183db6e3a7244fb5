//! Criterion benches of the kernel's hot paths: `cargo xtask bench`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use headroom_kernel::{
    size_horizontal, size_on_ladder, GrowthCurve, GrowthPoint, HeadroomPolicy, Rung,
};

fn kernel(c: &mut Criterion) {
    let policy = HeadroomPolicy { headroom: 0.2, min_units: 2, redundancy: 1, zones: 3 };
    c.bench_function("size_horizontal/3 dimensions", |b| {
        b.iter(|| {
            size_horizontal(
                black_box(&[5000.0, 900.0, 40.0]),
                black_box(&[250.0, 500.0, 100.0]),
                &policy,
            )
        })
    });
    let ladder: Vec<Rung> = [800.0, 1600.0, 3200.0, 6400.0]
        .iter()
        .map(|&c| Rung { capacities: vec![c, c * 4.0] })
        .collect();
    c.bench_function("size_on_ladder/4 rungs", |b| {
        b.iter(|| size_on_ladder(black_box(&[5000.0, 1000.0]), black_box(&ladder), &policy))
    });
    let points = [
        GrowthPoint { month: 0.0, value: 500.0 },
        GrowthPoint { month: 3.0, value: 2000.0 },
        GrowthPoint { month: 6.0, value: 5000.0 },
        GrowthPoint { month: 12.0, value: 10000.0 },
    ];
    c.bench_function("growth/logistic 13 months", |b| {
        b.iter(|| GrowthCurve::Logistic { ceiling: 50_000.0 }.monthly(black_box(&points), 12))
    });
}

criterion_group!(benches, kernel);
criterion_main!(benches);
