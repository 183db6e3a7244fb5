//! System profile `leadgen-insurance`: the 2026 Lead-Gen Insurance platform,
//! as its capacity document (`SOURCE.md` beside this crate) describes it.
//!
//! This crate holds the one thing a table cannot: the demand mapping, code
//! that turns the business drivers (users, leads/day) into the load on each
//! tier. Every number lives in `config/leadgen-insurance.toml`, embedded here
//! at build time, so the defaults and the shipped config cannot drift.
//!
//! It must never size, price or round anything: the host's kernel does that.

use headroom_plugin_api::{export_profile, Description, Driver, Load, SystemProfile};

/// The profile.
pub struct LeadgenInsurance;

const DRIVERS: &[Driver] =
    &[Driver { name: "users", unit: "users" }, Driver { name: "leads_per_day", unit: "leads/day" }];

const PARAMETERS: &[&str] =
    &["concurrency", "peak_factor", "requests_per_user_per_second", "cache_ops_per_request"];

const LOADS: &[Load] = &[
    Load { tier: "api", dimension: "concurrent_users", unit: "users" },
    Load { tier: "data", dimension: "leads_per_minute", unit: "leads/min" },
    Load { tier: "redis", dimension: "ops_per_second", unit: "ops/s" },
    Load { tier: "api", dimension: "requests_per_second", unit: "req/s" },
];

impl SystemProfile for LeadgenInsurance {
    const DESCRIPTION: Description = Description {
        id: "leadgen-insurance",
        version: env!("CARGO_PKG_VERSION"),
        source: "Capacity Planning Model: 2026-Lead-Gen-Insurance Platform",
        default_config: include_str!("../../../config/leadgen-insurance.toml"),
        drivers: DRIVERS,
        parameters: PARAMETERS,
        loads: LOADS,
    };

    fn demand(parameters: &[f64], drivers: &[f64], loads: &mut [f64]) -> Result<(), String> {
        let &[concurrency, peak_factor, requests_per_user, cache_ops_per_request] = parameters
        else {
            return Err("expected 4 demand parameters".into());
        };
        let &[users, leads_per_day] = drivers else {
            return Err("expected 2 drivers".into());
        };
        // §3.1: the API's limit is concurrent users; §4 names target users.
        let concurrent_users = users * concurrency;
        // §3.2: the data service's limit is leads a minute; §4 names leads a
        // day. The busiest minute carries peak_factor times the mean.
        let peak_leads_per_minute = leads_per_day / 1440.0 * peak_factor;
        // §3.4: Redis is limited in operations a second, driven by requests.
        let requests_per_second = concurrent_users * requests_per_user;
        let redis_ops = requests_per_second * cache_ops_per_request;
        loads.copy_from_slice(&[
            concurrent_users,
            peak_leads_per_minute,
            redis_ops,
            requests_per_second,
        ]);
        Ok(())
    }
}

export_profile!(LeadgenInsurance);
