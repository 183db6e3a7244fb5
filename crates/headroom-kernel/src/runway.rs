//! Runway: how long today's deployment lasts under the growth curve.
//!
//! For a tier running `units` units today, the runway is the first month in
//! which the load puts its hottest dimension above `1 - headroom` with `k`
//! units lost (the N+k policy), i.e. the utilisation law
//! `U = L / ((units - k) C)` (Denning & Buzen) crossing the headroom line.

use crate::sizing::HeadroomPolicy;
use crate::KernelError;

/// When a deployment breaks its headroom.
#[derive(Debug, Clone, PartialEq)]
pub struct Runway {
    /// First month (index into the monthly loads) in which the headroom is
    /// broken; `None` when it holds over the whole horizon.
    pub month: Option<usize>,
    /// Index of the dimension that breaks first (or runs hottest, if none does).
    pub dimension: usize,
    /// Utilisation of that dimension in that month (or the highest seen).
    pub utilisation: f64,
}

/// The first month in `monthly_loads` (one load vector per month) whose load
/// the deployment of `units` units of `capacities` cannot hold within the
/// policy's headroom with `policy.redundancy` units lost.
pub fn first_breach(
    monthly_loads: &[Vec<f64>],
    capacities: &[f64],
    units: u32,
    policy: &HeadroomPolicy,
) -> Result<Runway, KernelError> {
    if !(0.0..1.0).contains(&policy.headroom) {
        return Err(KernelError::InvalidHeadroom(policy.headroom));
    }
    let effective = units.saturating_sub(policy.redundancy);
    let ceiling = 1.0 - policy.headroom;
    let mut hottest = Runway { month: None, dimension: 0, utilisation: 0.0 };
    for (month, loads) in monthly_loads.iter().enumerate() {
        // Validates the loads and capacities of this month.
        crate::sizing::size_horizontal(
            loads,
            capacities,
            &HeadroomPolicy::headroom_only(policy.headroom),
        )?;
        let utilisation = crate::sizing::utilisation(loads, capacities, effective);
        let (dimension, &worst) =
            utilisation.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &0.0));
        if worst > ceiling * (1.0 + 1e-9) {
            return Ok(Runway { month: Some(month), dimension, utilisation: worst });
        }
        if worst > hottest.utilisation {
            hottest = Runway { month: None, dimension, utilisation: worst };
        }
    }
    Ok(hottest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_replicas_last_until_month_one() {
        // Lead-gen today: 4 API replicas of 250 users at 20% headroom hold 800
        // users. Users grow 500 → 2,000 over three months (+500 a month):
        // month 0 = 500 (62.5%), month 1 = 1,000 (100%) breaks.
        let loads: Vec<Vec<f64>> =
            [500.0, 1000.0, 1500.0, 2000.0].iter().map(|&u| vec![u]).collect();
        let runway =
            first_breach(&loads, &[250.0], 4, &HeadroomPolicy::headroom_only(0.2)).unwrap();
        assert_eq!(runway.month, Some(1));
        assert!((runway.utilisation - 1.0).abs() < 1e-12);
    }

    #[test]
    fn exactly_at_the_line_holds_and_spares_do_not_count() {
        // 800 users on 4 units of 250 is exactly 80%: held.
        let loads = vec![vec![800.0]];
        let policy = HeadroomPolicy::headroom_only(0.2);
        assert_eq!(first_breach(&loads, &[250.0], 4, &policy).unwrap().month, None);
        // With N+1, only 3 units count: 800 / 750 breaks at month 0.
        let policy = HeadroomPolicy { redundancy: 1, ..policy };
        assert_eq!(first_breach(&loads, &[250.0], 4, &policy).unwrap().month, Some(0));
    }
}
