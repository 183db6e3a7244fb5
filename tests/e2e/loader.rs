//! The real dynamic loader on the real plugins: several side by side, batch
//! calls, panics and ABI checks.

use headroom_plugin_api::host::{self, BatchCall, LoadError};

use crate::support::{fixture_file, plugin_file};

#[test]
fn two_plugins_load_side_by_side() {
    // abi_stable caches one root module per interface type when loaded with
    // `RootModule::load_from_*` (its issue #92): the second plugin would come
    // back as the first. Both must keep their own identity and code.
    let leadgen = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    let hostel = host::load(&plugin_file("headroom_profile_hostel_complaints")).unwrap();
    assert_eq!(leadgen.id(), "leadgen-insurance");
    assert_eq!(hostel.id(), "hostel-complaints");
    let mut leadgen_loads = vec![0.0; 4];
    leadgen.demand(&[1.0, 3.0, 0.5, 3.0], &[500.0, 50_000.0], &mut leadgen_loads).unwrap();
    // 500 users; 50,000 leads/day x 3 / 1,440 = 104.17 leads/min; 250 req/s x 3 = 750 ops/s.
    assert_eq!(leadgen_loads[0], 500.0);
    assert!((leadgen_loads[1] - 104.166_666).abs() < 1e-3);
    assert_eq!(leadgen_loads[2], 750.0);
    let mut hostel_loads = vec![0.0; 8];
    hostel
        .demand(&[1.0, 5.0, 1.0, 2.0, 5.0, 1.0, 10.0, 0.5, 365.0], &[100.0], &mut hostel_loads)
        .unwrap();
    // 100 users x 5 req/min = 500 req/min; 100 WebSockets; 1,000 active complaints.
    assert_eq!(&hostel_loads[..3], &[500.0, 100.0, 1000.0]);
}

#[test]
fn a_plugin_says_whether_it_was_built_optimised() {
    // The macro reads the plugin crate's own build: these fixtures are the
    // debug builds of `cargo xtask build`, whichever way the test itself is
    // built; a release headroom warns before a Monte Carlo through them.
    let debug = host::load(&fixture_file("headroom_profile_fixture_panicking")).unwrap();
    assert_eq!(debug.optimised(), Some(false));
}

#[test]
fn a_batch_equals_its_rows_one_by_one() {
    let leadgen = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    let parameters = [1.0, 3.0, 0.5, 3.0];
    let rows: Vec<[f64; 2]> =
        (0..1000).map(|i| [f64::from(i) * 10.0, f64::from(i) * 1000.0]).collect();
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    let mut batch = vec![0.0; rows.len() * 4];
    leadgen.demand(&parameters, &flat, &mut batch).unwrap();
    for (i, row) in rows.iter().enumerate() {
        let mut one = vec![0.0; 4];
        leadgen.demand(&parameters, row, &mut one).unwrap();
        assert_eq!(&batch[i * 4..i * 4 + 4], &one[..], "row {i}");
    }
}

#[test]
fn a_batch_of_the_wrong_shape_is_an_error() {
    let leadgen = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    let mut out = vec![0.0; 4];
    let error = leadgen.demand(&[1.0, 3.0, 0.5, 3.0], &[1.0, 2.0, 3.0], &mut out).unwrap_err();
    assert!(error.contains("batch shape"), "{error}");
    let error = leadgen.demand(&[1.0], &[1.0, 2.0], &mut out).unwrap_err();
    assert!(error.contains("1 demand parameters given, 4 expected"), "{error}");
}

#[test]
fn a_panic_in_a_plugin_comes_back_as_an_error() {
    let panicking = host::load(&fixture_file("headroom_profile_fixture_panicking")).unwrap();
    let mut out = vec![0.0; 1];
    let error = panicking.demand(&[], &[1.0], &mut out).unwrap_err();
    assert!(error.contains("plugin `fixture-panicking` panicked"), "{error}");
    // The process, and the plugin, are still usable after it.
    let again = panicking.demand(&[], &[1.0], &mut out).unwrap_err();
    assert!(again.contains("panicked"));
    // The per-row-parameter and column batches are exported and caught
    // the same way.
    assert_eq!(panicking.newest_batch_call(), BatchCall::DemandColumns);
    let mut out = vec![0.0; 3];
    let error = panicking.demand_rows(&[], &[1.0, 2.0, 3.0], &mut out).unwrap_err();
    assert!(error.contains("plugin `fixture-panicking` panicked"), "{error}");
    let error = panicking.demand_columns(3, &[], &[1.0, 2.0, 3.0], &mut out).unwrap_err();
    assert!(error.contains("plugin `fixture-panicking` panicked"), "{error}");
}

#[test]
fn a_batch_in_columns_gives_what_one_call_a_row_gives() {
    // Lead-gen's mapping on 3 draws (each its own peak factor) of 2 rows:
    // one demand_columns call, by each way the host can make it, against
    // a demand call a row.
    let leadgen = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    // Parameter columns: concurrency, peak factor, requests, cache ops.
    let parameters = [1.0, 1.0, 1.0, 2.0, 3.0, 4.5, 0.5, 0.5, 0.5, 3.0, 3.0, 3.0];
    // Driver columns over the 6 rows (row i is draw i % 3): users, leads.
    let users = [500.0, 2_000.0, 10_000.0, 700.0, 2_500.0, 12_000.0];
    let leads = [50_000.0, 200_000.0, 1_000_000.0, 60_000.0, 250_000.0, 1_200_000.0];
    let drivers: Vec<f64> = users.iter().chain(&leads).copied().collect();
    let mut expected = vec![0.0; 24];
    for i in 0..6 {
        let own: Vec<f64> = (0..4).map(|k| parameters[k * 3 + i % 3]).collect();
        let mut row = [0.0; 4];
        leadgen.demand(&own, &[users[i], leads[i]], &mut row).unwrap();
        for (l, load) in row.into_iter().enumerate() {
            expected[l * 6 + i] = load;
        }
    }
    // Row 2 (draw 2): 1,000,000 leads a day at 4.5x peak is 3,125 leads a
    // minute, in the second load's column.
    assert!((expected[6 + 2] - 1_000_000.0 / 1440.0 * 4.5).abs() < 1e-9);
    for newest in [BatchCall::DemandColumns, BatchCall::DemandRows, BatchCall::Demand] {
        let profile = leadgen.clone().as_if_newest_call(newest);
        assert_eq!(profile.newest_batch_call(), newest);
        let mut columns = vec![f64::NAN; 24];
        profile.demand_columns(3, &parameters, &drivers, &mut columns).unwrap();
        assert_eq!(columns, expected, "{newest:?}");
        // A batch that does not hold whole columns is refused before the
        // plugin runs: a parameter short, rows not whole draws.
        let error = profile.demand_columns(3, &parameters[..11], &drivers, &mut columns);
        assert!(error.unwrap_err().contains("batch shape"));
        let error = profile.demand_columns(4, &[1.0; 16], &drivers, &mut columns);
        assert!(error.unwrap_err().contains("batch shape"));
    }
}

#[test]
fn per_row_parameters_give_what_one_call_a_row_gives() {
    // Lead-gen's mapping with a different peak factor on each of 3 rows: one
    // demand_rows call against three demand calls.
    let leadgen = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    let parameters = [1.0, 2.0, 0.5, 3.0, 1.0, 3.0, 0.5, 3.0, 1.0, 4.5, 0.5, 3.0];
    let drivers = [500.0, 50_000.0, 2_000.0, 200_000.0, 10_000.0, 1_000_000.0];
    let mut batched = vec![0.0; 12];
    leadgen.demand_rows(&parameters, &drivers, &mut batched).unwrap();
    let mut one_by_one = vec![0.0; 12];
    for row in 0..3 {
        leadgen
            .demand(
                &parameters[row * 4..(row + 1) * 4],
                &drivers[row * 2..(row + 1) * 2],
                &mut one_by_one[row * 4..(row + 1) * 4],
            )
            .unwrap();
    }
    assert_eq!(batched, one_by_one);
    // Row 3: 1,000,000 leads a day at 4.5x peak is 3,125 leads a minute.
    assert!((batched[9] - 1_000_000.0 / 1440.0 * 4.5).abs() < 1e-9);
    // A batch that does not hold whole rows is refused before the plugin runs.
    let error = leadgen.demand_rows(&parameters[..7], &drivers, &mut batched).unwrap_err();
    assert!(error.contains("batch shape"), "{error}");
}

#[test]
fn a_plugin_of_another_abi_is_refused() {
    let error = host::load(&fixture_file("headroom_profile_fixture_future_abi")).unwrap_err();
    assert!(matches!(error, LoadError::IncompatibleAbi { .. }), "{error}");
}

#[test]
fn the_plugin_embeds_the_shipped_config() {
    // One source, not two copies: the plugin's defaults are config/<id>.toml.
    for (stem, id) in [
        ("headroom_profile_leadgen_insurance", "leadgen-insurance"),
        ("headroom_profile_hostel_complaints", "hostel-complaints"),
    ] {
        let profile = host::load(&plugin_file(stem)).unwrap();
        let shipped =
            std::fs::read_to_string(crate::support::root().join(format!("config/{id}.toml")))
                .unwrap();
        assert_eq!(
            profile.default_config(),
            shipped,
            "{id}: rebuild the plugin (`cargo xtask build`)"
        );
    }
}

#[test]
fn a_plugin_built_before_a_batch_call_simulates_to_the_same_answer() {
    // A plugin built before `demand_columns` gives the host no such call;
    // the host then lays each chunk out in rows for `demand_rows`, and for
    // a plugin built before that too, runs them through `demand`, one row
    // a call.
    let profile = host::load(&plugin_file("headroom_profile_leadgen_insurance")).unwrap();
    let sources = headroom::config::Sources {
        config_dir: Some(crate::support::config_dir()),
        files: Vec::new(),
        environment: false,
        known_profiles: vec!["leadgen-insurance".into()],
        sets: Vec::new(),
    };
    let layered = headroom::config::load(&profile, &sources).unwrap();
    let run = |profile: &host::LoadedProfile| {
        let sim =
            headroom::simulate::simulate(profile, &layered, Some(3000), Some(5), None).unwrap();
        serde_json::to_string(&sim).unwrap()
    };
    let rows = profile.clone().as_if_newest_call(BatchCall::DemandRows);
    let legacy = profile.clone().as_if_newest_call(BatchCall::Demand);
    assert_eq!(profile.newest_batch_call(), BatchCall::DemandColumns);
    assert_eq!(legacy.newest_batch_call(), BatchCall::Demand);
    let answer = run(&profile);
    assert_eq!(answer, run(&rows));
    assert_eq!(answer, run(&legacy));
    // Row by row, a batch that does not hold whole rows is refused by the
    // host's own shape check before any plugin call, and a whole one gives
    // lead-gen's loads.
    let mut out = vec![0.0; 4];
    assert!(legacy
        .demand_rows(&[1.0; 3], &[1.0, 2.0], &mut out)
        .unwrap_err()
        .contains("batch shape"));
    let mut out = vec![0.0; 4];
    legacy.demand_rows(&[1.0, 3.0, 0.5, 3.0], &[100.0, 1440.0], &mut out).unwrap();
    assert_eq!(out, [100.0, 3.0, 150.0, 50.0]);
}
