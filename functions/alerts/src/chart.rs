//! The insight email's chart: an alert's daily lowest and median price as a PNG, drawn with
//! `plotters` on a bitmap and the font the project ships (`assets/DejaVuSans.ttf`, registered
//! once; no system font lookup, which Lambda's image could not serve). Pure: days in, bytes out.

use std::sync::Once;

use plotters::{
    prelude::*,
    style::{FontStyle, register_font},
};

use crate::domain::insights::DaySummary;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const WIDTH: u32 = 560;
const HEIGHT: u32 = 240;

#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

fn font() -> Result<(), ChartError> {
    static REGISTER: Once = Once::new();
    let mut result = Ok(());
    REGISTER.call_once(|| {
        result = register_font("sans-serif", FontStyle::Normal, FONT)
            .map_err(|_| ChartError("the font does not load".into()));
    });
    result
}

fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// A PNG of the daily lowest (solid) and median (dashed-looking, lighter) price, oldest day
/// first; at least two days are needed for a line.
pub fn price_chart(days: &[DaySummary], currency: &str) -> Result<Vec<u8>, ChartError> {
    if days.len() < 2 {
        return Err(ChartError("fewer than two days".into()));
    }
    font()?;
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mins: Vec<f64> = days.iter().map(|d| d.min_price.0 as f64 / 100.0).collect();
        let medians: Vec<f64> = days.iter().map(|d| d.median_price).collect();
        let low = mins.iter().chain(&medians).copied().fold(f64::INFINITY, f64::min);
        let high = mins.iter().chain(&medians).copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = ((high - low) * 0.1).max(1.0);
        let labels: Vec<String> = days.iter().map(|d| d.date.format("%b %d").to_string()).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d(0usize..days.len() - 1, (low - pad)..(high + pad))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(days.len().min(7))
            .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
            .y_label_formatter(&|v| format!("{v:.0} {currency}"))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        let median_color = RGBColor(245, 158, 11);
        let min_color = RGBColor(29, 78, 216);
        chart
            .draw_series(LineSeries::new(medians.iter().copied().enumerate(), median_color.stroke_width(2)))
            .map_err(err)?
            .label("median of the 20 cheapest")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], median_color.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(mins.iter().copied().enumerate(), min_color.stroke_width(2)))
            .map_err(err)?
            .label("lowest")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], min_color.stroke_width(2)));
        chart
            .draw_series(mins.iter().copied().enumerate().map(|p| Circle::new(p, 3, min_color.filled())))
            .map_err(err)?;
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 12))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(&rgb).map_err(err)?;
    }
    Ok(png)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::Cents;

    #[test]
    fn a_chart_is_a_png_of_its_size() {
        let days: Vec<DaySummary> = (0..14)
            .map(|d| DaySummary {
                date: NaiveDate::from_ymd_opt(2026, 11, 1 + d).unwrap(),
                listings: 40,
                min_price: Cents(5_000 + i64::from(d % 5) * 300),
                median_price: 70.0 + f64::from(d % 3),
            })
            .collect();
        let png = price_chart(&days, "USD").unwrap();
        if let Ok(path) = std::env::var("CHART_SAMPLE") {
            std::fs::write(path, &png).unwrap();
        }
        assert_eq!(&png[1..4], b"PNG");
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
        assert!(price_chart(&days[..1], "USD").is_err(), "one day is no line");
    }
}
