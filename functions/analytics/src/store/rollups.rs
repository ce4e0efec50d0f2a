//! Rollup reads: each a strongly consistent `Query` of one rollup partition (a month's rollups, or
//! a span of days of one month), every page, mapped by hand since sums pass what serde reads
//! (`i128`).

use aws_sdk_dynamodb::{operation::query::builders::QueryFluentBuilder, types::AttributeValue};
use shared::dynamo::{Item, StoreError, s, store_err};

use super::{Family, Store, day_pk, item_days_pk, item_month_pk, month_pk, number};
use crate::domain::{CustomerRollup, Piece, ProvinceRollup, Totals};

/// What a query read: items and pages (for the bench and the logs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    pub items: usize,
    pub pages: usize,
}

impl std::ops::AddAssign for Reads {
    fn add_assign(&mut self, other: Reads) {
        self.items += other.items;
        self.pages += other.pages;
    }
}

fn text(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

fn totals(item: &Item, count: &str, value: &str) -> Result<Totals, StoreError> {
    Ok(Totals::new(number(item, count)?, number(item, value)?))
}

/// The last sort key of a span of days whose sort keys are `<date>#<id>`: `~` sorts after `#`.
fn through(date: &str) -> String {
    format!("{date}~")
}

impl Store {
    /// Every item of a strongly consistent `Query` (every page, through the SDK's paginator),
    /// raw, with what it read (items as DynamoDB counts them read, before any filter).
    async fn every_item(&self, query: QueryFluentBuilder, reads: &mut Reads) -> Result<Vec<Item>, StoreError> {
        let mut pages = query.consistent_read(true).into_paginator().send();
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(store_err)?;
            reads.pages += 1;
            reads.items += usize::try_from(page.scanned_count).unwrap_or_default();
            items.extend(page.items.unwrap_or_default());
        }
        Ok(items)
    }

    /// A `Query` of what `piece` covers: a whole month's partition `month_pk`, or the span of
    /// days of `days_pk` (sort keys `<date>#<id>`).
    fn piece_query(&self, piece: &Piece, month_pk: String, days_pk: String) -> QueryFluentBuilder {
        let query = self.table.query_items();
        match piece {
            Piece::Month(_) => {
                query.key_condition_expression("pk = :pk").expression_attribute_values(":pk", s(month_pk))
            }
            Piece::Days(days) => query
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(days_pk))
                .expression_attribute_values(":from", s(days.from.clone()))
                .expression_attribute_values(":to", s(through(&days.to))),
        }
    }

    fn family_query(&self, family: Family, currency: &str, piece: &Piece) -> QueryFluentBuilder {
        let month = match piece {
            Piece::Month(month) => month,
            Piece::Days(days) => &days.month,
        };
        self.piece_query(piece, family.month_pk(currency, month), family.days_pk(currency, month))
    }

    /// The value rollups of `currency` in partition `pk` (`DAY#` or `MONTH#`) from `start` to
    /// `end` (inclusive), by sort key: one `Query`.
    async fn values(
        &self,
        pk: String,
        start: &str,
        end: &str,
        reads: &mut Reads,
    ) -> Result<Vec<(String, Totals)>, StoreError> {
        let query = self
            .table
            .query_items()
            .key_condition_expression("pk = :pk AND sk BETWEEN :start AND :end")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":start", s(start))
            .expression_attribute_values(":end", s(end));
        let items = self.every_item(query, reads).await?;
        items
            .iter()
            .map(|item| Ok((text(item, "sk").unwrap_or_default(), totals(item, "order_count", "order_value")?)))
            .collect()
    }

    /// The day rollups of `currency` from `start` to `end` (dates, inclusive), by date.
    pub async fn days(
        &self,
        currency: &str,
        start: &str,
        end: &str,
        reads: &mut Reads,
    ) -> Result<Vec<(String, Totals)>, StoreError> {
        self.values(day_pk(currency), start, end, reads).await
    }

    /// The month rollups of `currency` from `start` to `end` (months, inclusive), by month.
    pub async fn months(
        &self,
        currency: &str,
        start: &str,
        end: &str,
        reads: &mut Reads,
    ) -> Result<Vec<(String, Totals)>, StoreError> {
        self.values(month_pk(currency), start, end, reads).await
    }

    /// Every customer's rollups of `currency` in `piece`, in time order.
    pub async fn customers(
        &self,
        currency: &str,
        piece: &Piece,
        reads: &mut Reads,
    ) -> Result<Vec<CustomerRollup>, StoreError> {
        let items = self.every_item(self.family_query(Family::Customers, currency, piece), reads).await?;
        items
            .iter()
            .map(|item| {
                Ok(CustomerRollup {
                    customer_id: text(item, "customer_id").unwrap_or_default(),
                    email: text(item, "email"),
                    first_name: text(item, "first_name"),
                    last_name: text(item, "last_name"),
                    all: totals(item, "order_count", "order_value")?,
                    marketing: totals(item, "marketing_count", "marketing_value")?,
                })
            })
            .collect()
    }

    /// The province rollups of `currency` in `piece`: one province's (by its key) or all.
    pub async fn provinces(
        &self,
        currency: &str,
        piece: &Piece,
        province: Option<&str>,
        reads: &mut Reads,
    ) -> Result<Vec<ProvinceRollup>, StoreError> {
        let mut query = self.family_query(Family::Provinces, currency, piece);
        if let Some(key) = province {
            query = query.filter_expression("province_key = :key").expression_attribute_values(":key", s(key));
        }
        let items = self.every_item(query, reads).await?;
        items
            .iter()
            .map(|item| {
                let key = text(item, "province_key")
                    .ok_or_else(|| StoreError::Unexpected(format!("province rollup {:?}", item.get("sk"))))?;
                Ok(ProvinceRollup {
                    shown: text(item, "province").unwrap_or_else(|| key.clone()),
                    key,
                    totals: totals(item, "order_count", "order_value")?,
                    quantity: number(item, "quantity")?,
                })
            })
            .collect()
    }

    /// The line item quantities of one province (by its key) of `currency` in `piece`.
    pub async fn items(
        &self,
        currency: &str,
        piece: &Piece,
        province: &str,
        reads: &mut Reads,
    ) -> Result<Vec<(String, i128)>, StoreError> {
        let month = match piece {
            Piece::Month(month) => month,
            Piece::Days(days) => &days.month,
        };
        let query =
            self.piece_query(piece, item_month_pk(currency, month, province), item_days_pk(currency, month, province));
        let items = self.every_item(query, reads).await?;
        items.iter().map(|item| Ok((text(item, "item_id").unwrap_or_default(), number(item, "quantity")?))).collect()
    }
}
