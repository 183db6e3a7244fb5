//! Cost: what a deployment costs a month.

use crate::KernelError;

/// Hours in the average month: 8,760 hours a year over 12 months, the
/// convention of cloud providers' monthly price lists.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Monthly cost of `units` instances at `hourly_price` each:
/// `hourly_price x 730 h x units`.
pub fn monthly_cost(hourly_price: f64, units: u32) -> Result<f64, KernelError> {
    if !hourly_price.is_finite() || hourly_price < 0.0 {
        return Err(KernelError::InvalidPrice(hourly_price));
    }
    Ok(hourly_price * HOURS_PER_MONTH * f64::from(units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_instances_at_ten_cents() {
        // 3 x $0.10 x 730 h = $219.
        assert!((monthly_cost(0.10, 3).unwrap() - 219.0).abs() < 1e-9);
        assert_eq!(monthly_cost(-1.0, 3), Err(KernelError::InvalidPrice(-1.0)));
    }
}
