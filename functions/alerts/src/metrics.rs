//! Metrics as CloudWatch embedded metric format (EMF) log lines: one JSON object per line on
//! stdout, which CloudWatch Logs turns into metrics in the `PriceAlerts` namespace, dimensioned
//! by the alerts table's name (one stack's metrics apart from another's). The template's alarms
//! watch them: marketplace 429s, and the day's budget at 80 %.
//!
//! - `MarketplaceCalls`: requests to the marketplace's search (retries included).
//! - `MarketplaceThrottled`: those the marketplace answered 429.
//! - `MarketplaceBudgetUsed`, `MarketplaceBudgetUsedPercent`: the stack's budget spent today,
//!   after each charge.
//! - `MarketplaceBudgetExhausted`: searches not made for want of budget (stack or shares).

use serde_json::{Map, Value, json};

pub const NAMESPACE: &str = "PriceAlerts";
/// The one dimension: the alerts table's name.
pub const DIMENSION: &str = "AlertsTable";

/// One value of one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
}

impl Metric {
    pub fn count(name: &'static str, value: u32) -> Self {
        Self { name, value: f64::from(value), unit: "Count" }
    }

    pub fn percent(name: &'static str, value: f64) -> Self {
        Self { name, value, unit: "Percent" }
    }
}

/// The EMF line of `metrics` at `timestamp_ms` for the table `table`.
pub fn line(table: &str, metrics: &[Metric], timestamp_ms: i64) -> String {
    let definitions: Vec<Value> = metrics.iter().map(|m| json!({"Name": m.name, "Unit": m.unit})).collect();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [[DIMENSION]], "Metrics": definitions}],
        }),
    );
    root.insert(DIMENSION.into(), Value::String(table.to_owned()));
    for m in metrics {
        root.insert(m.name.into(), json!(m.value));
    }
    Value::Object(root).to_string()
}

/// Writes `metrics` as one EMF line on stdout (nothing when empty).
pub fn emit(table: &str, metrics: &[Metric]) {
    if metrics.is_empty() {
        return;
    }
    println!("{}", line(table, metrics, shared::time::now().timestamp_millis()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_embedded_metric_format() {
        let text = line(
            "alerts-table",
            &[Metric::count("MarketplaceCalls", 2), Metric::percent("MarketplaceBudgetUsedPercent", 80.5)],
            1_700_000_000_000,
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        let cw = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(cw["Namespace"], NAMESPACE);
        assert_eq!(cw["Dimensions"], json!([[DIMENSION]]));
        assert_eq!(cw["Metrics"][1], json!({"Name": "MarketplaceBudgetUsedPercent", "Unit": "Percent"}));
        assert_eq!((v["MarketplaceCalls"].as_f64(), v[DIMENSION].as_str()), (Some(2.0), Some("alerts-table")));
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert!(!text.contains('\n'), "one line");
    }
}
