//! Audit: a published plan's figure against the computed one.
//!
//! A document's table gives a figure (4 replicas) or a range (3-5 instances,
//! "10+"); the planner computes one number. The audit says whether the
//! document over- or under-provisions by the document's own rule, by how
//! much, and, through [`implied_headroom`] and [`implied_capacity`], which
//! assumption would make the published figure right.

/// A figure as a document publishes it: an exact value, or a range that may
/// be open at the top ("10+") or bottom.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Published {
    /// The exact figure, when the document gives one.
    pub value: Option<f64>,
    /// Lower end of a range.
    pub min: Option<f64>,
    /// Upper end of a range.
    pub max: Option<f64>,
}

/// How a published figure stands against the computed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Equal, within the tolerance.
    Match,
    /// Inside the published range.
    WithinRange,
    /// The document provisions more than the rule needs.
    OverProvisioned,
    /// The document provisions less than the rule needs.
    UnderProvisioned,
}

impl Verdict {
    /// The verdict as reports spell it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::WithinRange => "within-range",
            Verdict::OverProvisioned => "over-provisioned",
            Verdict::UnderProvisioned => "under-provisioned",
        }
    }
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The verdict.
    pub verdict: Verdict,
    /// Published minus computed (against the nearest end of a range); zero on
    /// a match or within range.
    pub delta: f64,
    /// `delta` as a fraction of the computed figure, when that is not zero.
    pub relative: Option<f64>,
}

/// Compares a published figure with the computed one. `tolerance` is the
/// relative difference still called a match (0 for counts of units; a
/// document's cost "estimate" may deserve a few percent).
pub fn compare(published: &Published, computed: f64, tolerance: f64) -> Comparison {
    let delta = match (published.value, published.min, published.max) {
        (Some(value), _, _) => {
            let delta = value - computed;
            if delta.abs() <= tolerance * computed.abs() {
                0.0
            } else {
                delta
            }
        }
        (None, min, max) => {
            if let Some(min) = min.filter(|&min| computed < min) {
                min - computed
            } else if let Some(max) = max.filter(|&max| computed > max) {
                max - computed
            } else {
                0.0
            }
        }
    };
    let verdict = if delta > 0.0 {
        Verdict::OverProvisioned
    } else if delta < 0.0 {
        Verdict::UnderProvisioned
    } else if published.value.is_some() {
        Verdict::Match
    } else {
        Verdict::WithinRange
    };
    let relative = (computed != 0.0 && delta != 0.0).then(|| delta / computed);
    Comparison { verdict, delta, relative }
}

/// The headroom under which `units` units of `capacity` would be exactly the
/// right count for `load`: `1 - load / (units x capacity)` (the utilisation
/// law solved for headroom).
pub fn implied_headroom(load: f64, capacity: f64, units: f64) -> f64 {
    1.0 - load / (units * capacity)
}

/// The capacity per unit under which `units` units would be exactly the right
/// count for `load` at `headroom`: `load / (units x (1 - headroom))`.
pub fn implied_capacity(load: f64, units: f64, headroom: f64) -> f64 {
    load / (units * (1.0 - headroom))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(value: f64) -> Published {
        Published { value: Some(value), ..Published::default() }
    }

    #[test]
    fn leadgen_month_zero_api_is_over_provisioned_by_one() {
        // §4 publishes 4 replicas for 500 users; the rule gives 3.
        let c = compare(&exact(4.0), 3.0, 0.0);
        assert_eq!(c.verdict, Verdict::OverProvisioned);
        assert_eq!(c.delta, 1.0);
        assert!((c.relative.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // 4 replicas for 500 users at 250 each is 50% headroom, or 156.25
        // users a replica at 20% headroom.
        assert!((implied_headroom(500.0, 250.0, 4.0) - 0.5).abs() < 1e-12);
        assert!((implied_capacity(500.0, 4.0, 0.2) - 156.25).abs() < 1e-12);
    }

    #[test]
    fn ranges_and_tolerance() {
        let range = Published { value: None, min: Some(3.0), max: Some(5.0) };
        assert_eq!(compare(&range, 4.0, 0.0).verdict, Verdict::WithinRange);
        let above = compare(&range, 7.0, 0.0);
        assert_eq!((above.verdict, above.delta), (Verdict::UnderProvisioned, -2.0));
        let open = Published { value: None, min: Some(10.0), max: None };
        let below = compare(&open, 7.0, 0.0);
        assert_eq!((below.verdict, below.delta), (Verdict::OverProvisioned, 3.0));
        assert_eq!(compare(&open, 70.0, 0.0).verdict, Verdict::WithinRange);
        // $2,500 published against $2,420 computed: a match within 5%, not within 1%.
        assert_eq!(compare(&exact(2500.0), 2420.0, 0.05).verdict, Verdict::Match);
        assert_eq!(compare(&exact(2500.0), 2420.0, 0.01).verdict, Verdict::OverProvisioned);
    }
}
