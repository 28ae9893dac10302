//! Float sums that do not depend on the order of their terms: the running
//! total is kept exactly, as a few non-overlapping floats (Shewchuk's
//! partials, as Python's `math.fsum`), and rounded once at the end. So a
//! sum split over threads, batches or morsels in any way, and merged in
//! any order, gives the same, correctly rounded result.

use smallvec::SmallVec;

/// An exact sum of finite floats, plus the sum of the non-finite ones.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExactSum {
    /// Non-overlapping, increasing in magnitude; their exact sum is the
    /// total of the finite terms.
    partials: SmallVec<[f64; 4]>,
    /// Infinities and NaNs (and totals that overflowed), added as they
    /// come: any of them decides the result.
    special: Option<f64>,
}

impl ExactSum {
    /// Adds one term.
    pub(crate) fn add(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.special = Some(self.special.unwrap_or(0.0) + x);
            return;
        }
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if !hi.is_finite() {
                // The exact total left the float range.
                self.special = Some(self.special.unwrap_or(0.0) + hi);
                self.partials.clear();
                return;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds every term `other` was given.
    pub(crate) fn merge(&mut self, other: &ExactSum) {
        for p in &other.partials {
            self.add(*p);
        }
        if let Some(s) = other.special {
            self.special = Some(self.special.unwrap_or(0.0) + s);
        }
    }

    /// The total, rounded once (to nearest, ties to even); `0.0` for no
    /// terms.
    pub(crate) fn value(&self) -> f64 {
        if let Some(s) = self.special {
            return s;
        }
        let p = &self.partials;
        let Some(&last) = p.last() else {
            return 0.0;
        };
        let mut n = p.len() - 1;
        let (mut hi, mut lo) = (last, 0.0);
        while n > 0 {
            let x = hi;
            let y = p[n - 1];
            n -= 1;
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even when the rest lies beyond the halfway point.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        // A sum of negative zeros is zero, as a running sum from 0.0 gives.
        hi + 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::ExactSum;

    fn sum(xs: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        for x in xs {
            s.add(*x);
        }
        s.value()
    }

    #[test]
    fn sums_are_exact_and_rounded_once() {
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1e100, 1.0, -1e100]), 1.0);
        assert_eq!(sum(&[1e16, 1.0, 1e-16]), 10000000000000002.0);
        assert_eq!(sum(&[-0.0, -0.0]).to_bits(), 0.0f64.to_bits());
        assert_eq!(sum(&[f64::INFINITY, 1.0]), f64::INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(sum(&[f64::MAX, f64::MAX]), f64::INFINITY);
    }

    #[test]
    fn any_split_and_merge_order_gives_the_same_bits() {
        let xs: Vec<f64> = (0..2000)
            .map(|i| {
                let f = (i as f64 * 0.7548776662).fract();
                (f - 0.5) * 10f64.powi((i % 37) - 18)
            })
            .collect();
        let whole = sum(&xs);
        for parts in [2, 3, 7, 64] {
            let mut merged = ExactSum::default();
            let chunk = xs.len().div_ceil(parts);
            let mut pieces: Vec<ExactSum> = xs
                .chunks(chunk)
                .map(|c| {
                    let mut s = ExactSum::default();
                    c.iter().for_each(|x| s.add(*x));
                    s
                })
                .collect();
            pieces.reverse();
            for p in &pieces {
                merged.merge(p);
            }
            assert_eq!(merged.value().to_bits(), whole.to_bits(), "{parts} parts");
        }
        let mut reversed = xs.clone();
        reversed.reverse();
        assert_eq!(sum(&reversed).to_bits(), whole.to_bits());
    }
}
