//! Peak factors: from a daily average to the peak rate a tier must carry.

/// Minutes in a day.
pub const MINUTES_PER_DAY: f64 = 1440.0;

/// Peak rate per minute of something counted per day.
///
/// The mean rate is `per_day / 1440` a minute; the peak-to-average ratio
/// (`peak_factor`, ≥ 1) scales it to the busiest minute. This is the usual
/// "peak hour factor" of traffic engineering applied per minute.
pub fn per_day_to_peak_per_minute(per_day: f64, peak_factor: f64) -> f64 {
    per_day / MINUTES_PER_DAY * peak_factor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_per_day_to_peak_leads_per_minute() {
        // 1,000,000 leads/day is 694.44 a minute on average; a peak factor of
        // 3 makes it 2,083.33 a minute.
        let peak = per_day_to_peak_per_minute(1_000_000.0, 3.0);
        assert!((peak - 2083.333333).abs() < 1e-3);
    }
}
