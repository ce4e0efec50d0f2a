//! A Markdown table with padded columns (readable as plain text too), and the statistics the
//! tables report.

use std::{fmt, time::Duration};

#[derive(Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self { columns: columns.iter().map(|(name, align)| (name.to_string(), *align)).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.columns.len(), "a row needs one cell per column");
        self.rows.push(cells);
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                let cells = self.rows.iter().map(|row| row[i].chars().count());
                cells.chain([self.columns[i].0.chars().count(), 3]).max().unwrap_or(3)
            })
            .collect();
        let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
            for ((cell, (_, align)), width) in cells.iter().zip(&self.columns).zip(&widths) {
                match align {
                    Align::Left => write!(f, "| {cell:<width$} ")?,
                    Align::Right => write!(f, "| {cell:>width$} ")?,
                }
            }
            writeln!(f, "|")
        };
        line(f, &self.columns.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>())?;
        for ((_, align), width) in self.columns.iter().zip(&widths) {
            match align {
                Align::Left => write!(f, "|:{}", "-".repeat(width + 1))?,
                Align::Right => write!(f, "|{}:", "-".repeat(width + 1))?,
            }
        }
        writeln!(f, "|")?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn mean(samples: &[Duration]) -> Duration {
    if samples.is_empty() { Duration::ZERO } else { samples.iter().sum::<Duration>() / samples.len() as u32 }
}

/// Milliseconds with two decimals: `3.14`.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// `812 KiB`, `6.4 MiB`.
pub fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB * KIB { format!("{:.0} KiB", b / KIB) } else { format!("{:.1} MiB", b / (KIB * KIB)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=200).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(100));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(198));
        assert_eq!(percentile(&samples, 100.0), Duration::from_millis(200));
        assert_eq!(percentile(&samples[..1], 99.0), Duration::from_millis(1));
        assert_eq!(mean(&samples[..3]), Duration::from_millis(2));
    }

    #[test]
    fn aligned_markdown() {
        let mut t = Table::new(&[("name", Align::Left), ("ms", Align::Right)]);
        t.row(vec!["a".into(), "1.00".into()]);
        t.row(vec!["longer".into(), "12.50".into()]);
        assert_eq!(t.to_string(), "| name   |    ms |\n|:-------|------:|\n| a      |  1.00 |\n| longer | 12.50 |\n");
    }
}
