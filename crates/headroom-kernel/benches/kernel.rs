//! Criterion benches of the kernel's hot paths, and of peers side by side:
//! `cargo xtask bench` (BENCHMARKS.md has the figures).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use headroom_kernel::queueing::{servers_for, Queue, QueueTarget};
use headroom_kernel::trend::{growth_trend, seasons_for};
use headroom_kernel::usl::{fit, Measurement};
use headroom_kernel::{
    size_horizontal, size_on_ladder, units_for, units_for_quotients, GrowthCurve, GrowthPoint,
    HeadroomPolicy, Rung,
};

/// The 50-point data set both USL fits run on (also read by benches/peers.py).
fn usl50() -> Vec<Measurement> {
    include_str!("usl50.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let (n, x) = line.split_once(',').expect("two columns");
            Measurement {
                concurrency: n.parse().expect("number"),
                throughput: x.parse().expect("number"),
            }
        })
        .collect()
}

fn sizing(c: &mut Criterion) {
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
    // 4,096 quotients spread over 0..100 units, rounded one by one and as a batch.
    let quotients: Vec<f64> = (0..4096).map(|i| f64::from(i) * 0.024_41).collect();
    let mut units = vec![0; quotients.len()];
    c.bench_function("units_for/4096 quotients one by one", |b| {
        b.iter(|| {
            for (u, &q) in units.iter_mut().zip(black_box(&quotients)) {
                *u = units_for(q, 1.0, 0.0);
            }
            black_box(&units);
        })
    });
    c.bench_function("units_for/4096 quotients as a batch", |b| {
        b.iter(|| {
            units_for_quotients(black_box(&quotients), &mut units);
            black_box(&units);
        })
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

fn queueing(c: &mut Criterion) {
    // The peer (benches/peers.py) answers the same three questions.
    for (load, label) in [(9_000.0, "rho=0.90"), (9_500.0, "rho=0.95"), (9_900.0, "rho=0.99")] {
        c.bench_function(&format!("erlang_c/c=10000 {label}"), |b| {
            b.iter(|| Queue::new(black_box(load), 1.0, black_box(10_000)).map(|q| q.p_wait))
        });
    }
    let target = QueueTarget::ServiceLevel { fraction: 0.8, seconds: 20.0 };
    c.bench_function("servers_for/80% within 20 s at 48 Erlangs", |b| {
        b.iter(|| servers_for(black_box(0.2), 240.0, target))
    });
}

fn usl(c: &mut Criterion) {
    let data = usl50();
    c.bench_function("usl_fit/50 points with intervals (headroom)", |b| {
        b.iter(|| fit(black_box(&data)))
    });
    let theirs: Vec<usl::Measurement> = data
        .iter()
        .map(|m| usl::Measurement::concurrency_and_throughput(m.concurrency as u32, m.throughput))
        .collect();
    c.bench_function("usl_fit/50 points (usl crate 0.3 without intervals)", |b| {
        b.iter(|| usl::Model::build(black_box(&theirs)))
    });
}

/// What `observe --trend 28d` fits: 201 samples 0.14 day apart, 812 users
/// growing 25% a month with a 4% daily swing (benches/peers.py builds the
/// same series).
fn observed_history() -> Vec<GrowthPoint> {
    let month = 365.2425 / 12.0;
    (0..=200)
        .map(|i| {
            let day = -f64::from(200 - i) * 0.14;
            let swing = 1.0 + 0.04 * (std::f64::consts::TAU * day).sin();
            GrowthPoint { month: day / month, value: 812.0 * 1.25f64.powf(day / month) * swing }
        })
        .collect()
}

fn trend(c: &mut Criterion) {
    let history = observed_history();
    c.bench_function("growth_trend/201 samples, a line", |b| {
        b.iter(|| growth_trend(black_box(&history), &[]))
    });
    let months: Vec<f64> = history.iter().map(|p| p.month).collect();
    let seasons = seasons_for(&months, None).expect("daily and weekly");
    c.bench_function("growth_trend/201 samples, daily x3 and weekly x3", |b| {
        b.iter(|| growth_trend(black_box(&history), &seasons))
    });
}

/// What a simulation adds at its end to say how sure its draws are: the
/// ranks of P50, P90 and P99's intervals, once a run.
fn sampling(c: &mut Criterion) {
    c.bench_function("quantile_ranks/P50, P90 and P99 of 1,000,000 draws", |b| {
        b.iter(|| {
            [0.5, 0.9, 0.99]
                .map(|p| headroom_kernel::sampling::quantile_ranks(black_box(1_000_000), p, 0.95))
        })
    });
}

criterion_group!(benches, sizing, queueing, usl, trend, sampling);
criterion_main!(benches);
