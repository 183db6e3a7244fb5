//! Every profile the workspace builds (`plugins/*`), its forecast pinned
//! whole: the plan and the audit, as JSON. A profile added with `cargo
//! xtask new-plugin` gets its own snapshots from the next `cargo xtask
//! snapshot`, with no test to write; until they are accepted, `cargo xtask
//! test` fails on them, as on any forecast that changed.

use crate::support::{json, ok, profile_ids};

#[test]
fn every_profiles_plan_and_audit_are_pinned_whole() {
    let ids = profile_ids();
    // The two shipped profiles at least: a broken listing would pin nothing.
    for shipped in ["hostel-complaints", "leadgen-insurance"] {
        assert!(ids.iter().any(|id| id == shipped), "{shipped} not in {ids:?}");
    }
    for id in &ids {
        let plan = json(&ok(&["plan", id, "--format", "json"]));
        insta::assert_json_snapshot!(format!("plan__{id}"), plan);
        let audit = json(&ok(&["audit", id, "--format", "json"]));
        insta::assert_json_snapshot!(format!("audit__{id}"), audit);
    }
}
