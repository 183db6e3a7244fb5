//! The compiled model's table of a tier that its upstream tiers' units
//! alone load: its units, rung and runway by those units, worked out once
//! a pair (see `Model::size_by_upstream`). Plain data, no arithmetic of
//! the planner's: the model fills it.

/// The units and rung of a tier that the units of one or two upstream
/// tiers alone load (Postgres by its replicas' connection pools, say), by
/// those units: so many draws share a pair of unit counts that sizing each
/// pair once and looking it up costs less than sizing every row.
#[derive(Default)]
pub(super) struct UpstreamTable {
    /// One past the largest units of the first source it has room for,
    /// and of the second (1 with one source).
    pub(super) shape: (usize, usize),
    /// Per first source's units `a` and second's `b`, at `a x shape.1 +
    /// b`: 0 until worked out, then `units << 32 | rung << 2 | breaks << 1
    /// | 1`, `breaks` whether the load breaks the tier's runway.
    pub(super) entries: Vec<u64>,
    /// Per row of the chunk: its place in `entries`, and whether it breaks
    /// the tier's runway.
    pub(super) rows: Vec<u32>,
    pub(super) breaks: Vec<bool>,
}

impl UpstreamTable {
    /// The most entries a table holds (2 MiB a worker and tier); a chunk
    /// whose unit counts need more is sized pass by pass.
    pub(super) const MOST: usize = 1 << 18;

    /// Makes room for the first source's units up to `first` and the
    /// second's up to `second`, keeping the entries it has; false, changing
    /// nothing, where that would take more than [`UpstreamTable::MOST`].
    pub(super) fn fit(&mut self, first: u32, second: u32) -> bool {
        let wanted = (first as usize + 1, second as usize + 1);
        let (rows, width) = self.shape;
        if wanted.0 <= rows && wanted.1 <= width {
            return true;
        }
        // Half as large again at least, so that a count that creeps up
        // does not rebuild the table each chunk; else just what is wanted.
        let grown =
            |have: usize, want: usize| if want > have { want.max(have * 3 / 2) } else { have };
        let roomy = (grown(rows, wanted.0), grown(width, wanted.1));
        let tight = (rows.max(wanted.0), width.max(wanted.1));
        let Some(shape) =
            [roomy, tight].into_iter().find(|&(a, b)| a.saturating_mul(b) <= Self::MOST)
        else {
            return false;
        };
        let mut entries = vec![0; shape.0 * shape.1];
        if width > 0 {
            let kept = entries.chunks_exact_mut(shape.1).zip(self.entries.chunks_exact(width));
            for (to, from) in kept {
                to[..width].copy_from_slice(from);
            }
        }
        (self.shape, self.entries) = (shape, entries);
        true
    }

    pub(super) fn entry((units, rung): (u32, usize), breaks: bool) -> u64 {
        u64::from(units) << 32 | (rung as u64) << 2 | u64::from(breaks) << 1 | 1
    }

    pub(super) fn read(entry: u64) -> (u32, usize) {
        ((entry >> 32) as u32, (entry as u32 >> 2) as usize)
    }

    pub(super) fn breaks(entry: u64) -> bool {
        entry & 2 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::UpstreamTable;

    #[test]
    fn an_upstream_table_keeps_its_entries_as_it_grows_and_refuses_past_its_most() {
        let mut table = UpstreamTable::default();
        assert!(table.fit(3, 4));
        assert_eq!(table.shape, (4, 5));
        let at = |table: &UpstreamTable, a: usize, b: usize| a * table.shape.1 + b;
        let (a, b) = (2, 3);
        let entry = UpstreamTable::entry((17, 2), true);
        let place = at(&table, a, b);
        table.entries[place] = entry;
        assert_eq!(UpstreamTable::read(entry), (17, 2));
        assert!(UpstreamTable::breaks(entry));
        let holds = UpstreamTable::entry((17, 2), false);
        assert_eq!((UpstreamTable::read(holds), UpstreamTable::breaks(holds)), ((17, 2), false));
        // Within its shape: nothing moves.
        assert!(table.fit(1, 4));
        assert_eq!(table.shape, (4, 5));
        // Past it: half as large again at least, the entry where it was.
        assert!(table.fit(9, 5));
        assert_eq!(table.shape, (10, 7));
        assert_eq!(table.entries.iter().filter(|&&e| e != 0).count(), 1);
        assert_eq!(table.entries[at(&table, a, b)], entry);
        // Past the most it may hold: refused, and the table as it was.
        let side = (UpstreamTable::MOST as f64).sqrt() as u32;
        assert!(!table.fit(side + 1, side + 1));
        assert_eq!(table.shape, (10, 7));
        assert_eq!(table.entries[at(&table, a, b)], entry);
        // Where half as large again would pass it but the wanted size
        // does not: the wanted size.
        let most_rows = UpstreamTable::MOST / 7;
        assert!(table.fit((most_rows * 3 / 4) as u32, 6));
        assert_eq!(table.shape, (most_rows * 3 / 4 + 1, 7));
        assert!(table.fit(most_rows as u32 - 1, 6));
        assert_eq!(table.shape, (most_rows, 7));
        assert_eq!(table.entries[at(&table, a, b)], entry);
    }
}
