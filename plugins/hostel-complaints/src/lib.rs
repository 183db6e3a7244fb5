//! System profile `hostel-complaints`: the Hostel Complaint Management
//! System, as its capacity report (`SOURCE.md` beside this crate) describes it.
//!
//! This crate holds the demand mapping: from staff using the system to
//! requests, WebSockets, complaints and photo storage. Every number lives in
//! `config/hostel-complaints.toml`, embedded here at build time.
//!
//! It must never size, price or round anything: the host's kernel does that.

use headroom_plugin_api::{export_profile, Description, Driver, Load, SystemProfile};

/// The profile.
pub struct HostelComplaints;

const DRIVERS: &[Driver] = &[Driver { name: "users", unit: "users" }];

const PARAMETERS: &[&str] = &[
    "concurrency",
    "requests_per_user_per_minute",
    "websockets_per_user",
    "complaints_per_user_per_day",
    "photo_uploads_per_user_per_day",
    "updates_per_user_per_minute",
    "active_complaints_per_user",
    "photo_size_mb",
    "retention_days",
];

const LOADS: &[Load] = &[
    Load { tier: "backend", dimension: "requests_per_minute", unit: "req/min" },
    Load { tier: "backend", dimension: "websocket_connections", unit: "connections" },
    Load { tier: "postgres", dimension: "active_complaints", unit: "complaints" },
    Load { tier: "storage", dimension: "photo_storage_gb", unit: "GB" },
    Load { tier: "backend", dimension: "complaint_submissions_per_day", unit: "complaints/day" },
    Load { tier: "backend", dimension: "photo_uploads_per_day", unit: "photos/day" },
    Load { tier: "backend", dimension: "realtime_updates_per_minute", unit: "updates/min" },
    Load { tier: "postgres", dimension: "stored_complaints", unit: "complaints" },
];

impl SystemProfile for HostelComplaints {
    const DESCRIPTION: Description = Description {
        id: "hostel-complaints",
        version: env!("CARGO_PKG_VERSION"),
        source: "Capacity Planning Report: Complaint Management System",
        default_config: include_str!("../../../config/hostel-complaints.toml"),
        drivers: DRIVERS,
        parameters: PARAMETERS,
        loads: LOADS,
    };

    fn demand(parameters: &[f64], drivers: &[f64], loads: &mut [f64]) -> Result<(), String> {
        let &[concurrency, requests_per_user, websockets_per_user, complaints_per_user, uploads_per_user, updates_per_user, active_per_user, photo_size_mb, retention_days] =
            parameters
        else {
            return Err("expected 9 demand parameters".into());
        };
        let &[users] = drivers else {
            return Err("expected 1 driver".into());
        };
        let concurrent = users * concurrency;
        let uploads_per_day = users * uploads_per_user;
        let complaints_per_day = users * complaints_per_user;
        // Photos kept for the retention period, in GB (1 GB = 1024 MB).
        let photo_storage_gb = uploads_per_day * photo_size_mb * retention_days / 1024.0;
        loads.copy_from_slice(&[
            concurrent * requests_per_user,
            concurrent * websockets_per_user,
            users * active_per_user,
            photo_storage_gb,
            complaints_per_day,
            uploads_per_day,
            concurrent * updates_per_user,
            complaints_per_day * retention_days,
        ]);
        Ok(())
    }
}

export_profile!(HostelComplaints);
