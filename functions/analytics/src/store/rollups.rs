//! Rollup reads: each a strongly consistent `Query` of one rollup partition, every page, mapped
//! by hand since sums pass what serde reads (`i128`) and province rollups carry one attribute per
//! line item id.

use aws_sdk_dynamodb::{operation::query::builders::QueryFluentBuilder, types::AttributeValue};
use shared::dynamo::{Item, StoreError, s, store_err};

use super::{ITEM_PREFIX, Store, customer_pk, day_pk, number, province_of, province_pk, province_prefix};
use crate::domain::{CustomerDay, ProvincePart, Totals};

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

impl Store {
    /// Every item of a strongly consistent `Query` (every page, through the SDK's paginator),
    /// raw, with what it read.
    async fn every_item(&self, query: QueryFluentBuilder, reads: &mut Reads) -> Result<Vec<Item>, StoreError> {
        let mut pages = query.consistent_read(true).into_paginator().send();
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(store_err)?;
            reads.pages += 1;
            let found = page.items.unwrap_or_default();
            reads.items += found.len();
            items.extend(found);
        }
        Ok(items)
    }

    /// The day rollups of `currency` from `start` to `end` (inclusive), by date: one `Query`.
    pub async fn days(
        &self,
        currency: &str,
        start: &str,
        end: &str,
        reads: &mut Reads,
    ) -> Result<Vec<(String, Totals)>, StoreError> {
        let query = self
            .table
            .query_items()
            .key_condition_expression("pk = :pk AND sk BETWEEN :start AND :end")
            .expression_attribute_values(":pk", s(day_pk(currency)))
            .expression_attribute_values(":start", s(start))
            .expression_attribute_values(":end", s(end));
        let items = self.every_item(query, reads).await?;
        items
            .iter()
            .map(|item| Ok((text(item, "sk").unwrap_or_default(), totals(item, "order_count", "order_value")?)))
            .collect()
    }

    /// Every customer's rollup of `currency` on `date`: one `Query` of the day's partition.
    pub async fn customer_days(
        &self,
        currency: &str,
        date: &str,
        reads: &mut Reads,
    ) -> Result<Vec<CustomerDay>, StoreError> {
        let query = self
            .table
            .query_items()
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(customer_pk(currency, date)));
        let items = self.every_item(query, reads).await?;
        items
            .iter()
            .map(|item| {
                Ok(CustomerDay {
                    customer_id: text(item, "sk").unwrap_or_default(),
                    email: text(item, "email"),
                    first_name: text(item, "first_name"),
                    last_name: text(item, "last_name"),
                    all: totals(item, "order_count", "order_value")?,
                    marketing: totals(item, "marketing_count", "marketing_value")?,
                })
            })
            .collect()
    }

    /// The province rollup parts of `currency` on `date`: one province's (by its key) or all.
    pub async fn province_parts(
        &self,
        currency: &str,
        date: &str,
        province: Option<&str>,
        reads: &mut Reads,
    ) -> Result<Vec<ProvincePart>, StoreError> {
        let query = self.table.query_items().expression_attribute_values(":pk", s(province_pk(currency, date)));
        let query = match province {
            Some(key) => query
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":prefix", s(province_prefix(key))),
            None => query.key_condition_expression("pk = :pk"),
        };
        let items = self.every_item(query, reads).await?;
        items
            .iter()
            .map(|item| {
                let sk = text(item, "sk").unwrap_or_default();
                let key = province_of(&sk).ok_or_else(|| StoreError::Unexpected(format!("province rollup {sk:?}")))?;
                let mut items = Vec::new();
                for (name, _) in item.iter().filter(|(name, _)| name.starts_with(ITEM_PREFIX)) {
                    items.push((name[ITEM_PREFIX.len()..].to_owned(), number(item, name)?));
                }
                Ok(ProvincePart {
                    shown: text(item, "province").unwrap_or_else(|| key.clone()),
                    key,
                    totals: totals(item, "order_count", "order_value")?,
                    quantity: number(item, "quantity")?,
                    items,
                })
            })
            .collect()
    }
}
