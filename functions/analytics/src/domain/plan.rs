//! How a range is read from the rollups: whole calendar months from the month rollups, and each
//! partial month either from its day rollups (the range's days of that month) or, when the range
//! covers more than half of that month, as the month's rollup minus the days it leaves out. Sums
//! are exact integers, so `month - left-out days` is the range's sum exactly; the plan only
//! decides which costs fewer reads.

use chrono::{Datelike, NaiveDate};

use super::DateRange;

/// A calendar month, `YYYY-MM`, as the month rollups key it.
pub fn month_key(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

/// Some days of one month: `from` to `to` inclusive, both inside `month`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Days {
    /// `YYYY-MM`.
    pub month: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`.
    pub to: String,
}

/// What one read of a plan covers: a whole month, or some days of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Month(String),
    Days(Days),
}

/// The pieces a range's sum adds (in time order), and those it then takes away.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub add: Vec<Piece>,
    pub subtract: Vec<Days>,
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn last_of_month(date: NaiveDate) -> NaiveDate {
    let next = if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(date)
}

fn days(from: NaiveDate, to: NaiveDate) -> Days {
    Days { month: month_key(from), from: super::range::key(from), to: super::range::key(to) }
}

impl Plan {
    /// The cheapest plan of `range`, reckoned in days read: a whole month is one read per
    /// customer (or province); a partial month covering `c` of its `n` days is read as its days
    /// when `c <= n - c`, else as the month minus its `n - c` other days.
    pub fn of(range: &DateRange) -> Plan {
        let mut plan = Plan::default();
        let mut month_start = first_of_month(range.start);
        while month_start <= range.end {
            let month_end = last_of_month(month_start);
            let from = range.start.max(month_start);
            let to = range.end.min(month_end);
            let length = (month_end - month_start).num_days() + 1;
            let covered = (to - from).num_days() + 1;
            if covered == length {
                plan.add.push(Piece::Month(month_key(month_start)));
            } else if covered <= length - covered {
                plan.add.push(Piece::Days(days(from, to)));
            } else {
                plan.add.push(Piece::Month(month_key(month_start)));
                if from > month_start {
                    plan.subtract.push(days(month_start, from.pred_opt().unwrap_or(from)));
                }
                if to < month_end {
                    plan.subtract.push(days(to.succ_opt().unwrap_or(to), month_end));
                }
            }
            match month_end.succ_opt() {
                Some(next) => month_start = next,
                None => break,
            }
        }
        plan
    }

    /// Whole months and day spans it reads: what the queries' `Query` count grows with.
    pub fn reads(&self) -> usize {
        self.add.len() + self.subtract.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(start: &str, end: &str) -> Plan {
        Plan::of(&DateRange::parse(Some(start), Some(end)).unwrap())
    }

    fn span(from: &str, to: &str) -> Days {
        Days { month: from[..7].to_owned(), from: from.to_owned(), to: to.to_owned() }
    }

    #[test]
    fn whole_months_are_read_as_months() {
        assert_eq!(plan("2020-02-01", "2020-02-29").add, [Piece::Month("2020-02".into())], "a leap February");
        assert_eq!(plan("2021-02-01", "2021-02-28").add, [Piece::Month("2021-02".into())]);
        let year = plan("2020-01-01", "2020-12-31");
        assert_eq!((year.add.len(), year.subtract.len()), (12, 0));
        assert_eq!(
            plan("2020-12-01", "2021-01-31").add,
            [Piece::Month("2020-12".into()), Piece::Month("2021-01".into())]
        );
    }

    #[test]
    fn partial_months_are_their_days_or_the_month_minus_the_rest() {
        assert_eq!(
            plan("2020-02-27", "2020-03-02").add,
            [Piece::Days(span("2020-02-27", "2020-02-29")), Piece::Days(span("2020-03-01", "2020-03-02"))]
        );
        let mid = plan("2020-01-17", "2020-03-14");
        assert_eq!(
            mid.add,
            [
                Piece::Days(span("2020-01-17", "2020-01-31")),
                Piece::Month("2020-02".into()),
                Piece::Days(span("2020-03-01", "2020-03-14"))
            ]
        );
        assert!(mid.subtract.is_empty());
        let later = plan("2020-01-15", "2020-02-29");
        assert_eq!(later.add, [Piece::Month("2020-01".into()), Piece::Month("2020-02".into())]);
        assert_eq!(later.subtract, [span("2020-01-01", "2020-01-14")], "17 of 31 days: the month minus 14");
        let most = plan("2020-01-03", "2020-01-30");
        assert_eq!(most.add, [Piece::Month("2020-01".into())]);
        assert_eq!(most.subtract, [span("2020-01-01", "2020-01-02"), span("2020-01-31", "2020-01-31")]);
        assert_eq!(plan("2020-09-01", "2020-09-01").add, [Piece::Days(span("2020-09-01", "2020-09-01"))]);
    }

    #[test]
    fn a_366_day_range_reads_at_most_15_pieces() {
        for start in ["2020-01-01", "2020-01-02", "2020-01-15", "2020-02-29", "2021-07-31"] {
            let start_date = super::super::range::parse_date("start_date", start).unwrap();
            let end = super::super::range::key(start_date + chrono::Days::new(366));
            let plan = plan(start, &end);
            assert!(plan.reads() <= 15, "{start}: {plan:?}");
        }
    }
}
