//! The reads behind the listings: the directory's partition, and the two reservation indexes,
//! each read page by page as a stream.

use futures::{Stream, TryStreamExt};
use serde::Deserialize;
use shared::dynamo::{StoreError, Table, s};

use super::{CLIENT_INDEX, DIRECTORY, PROVIDER_INDEX, Store};
use crate::domain::{Appointment, DirectoryEntry, Reservation};

/// A reservation as the provider index has it: the record and the client's name copied onto it.
#[derive(Deserialize)]
struct AppointmentItem {
    #[serde(flatten)]
    reservation: Reservation,
    #[serde(default)]
    client_first_name: Option<String>,
    #[serde(default)]
    client_last_name: Option<String>,
}

impl From<AppointmentItem> for Appointment {
    fn from(item: AppointmentItem) -> Self {
        Self {
            reservation: item.reservation,
            client_first_name: item.client_first_name,
            client_last_name: item.client_last_name,
        }
    }
}

impl Store {
    /// The provider directory after `after` (a provider id), by provider id, `limit` at most;
    /// strongly consistent.
    pub async fn directory(&self, after: Option<&str>, limit: usize) -> Result<Vec<DirectoryEntry>, StoreError> {
        self.table
            .query(
                |q| {
                    let q = q.expression_attribute_values(":pk", s(DIRECTORY));
                    match after {
                        Some(after) => q
                            .key_condition_expression("pk = :pk AND sk > :after")
                            .expression_attribute_values(":after", s(after)),
                        None => q.key_condition_expression("pk = :pk"),
                    }
                },
                Some(limit),
            )
            .await
    }

    /// A provider's held and confirmed reservations (and holds that have run out but are not yet
    /// recorded as expired) whose sort key is in `[from, to]`, by start time, read `page_size`
    /// items at a time as the stream is read.
    pub fn provider_reservations(
        &self,
        provider_id: &str,
        from: String,
        to: String,
        page_size: i32,
    ) -> impl Stream<Item = Result<Appointment, StoreError>> + Send + use<> {
        let query = self
            .table
            .query_items()
            .index_name(PROVIDER_INDEX)
            .limit(page_size)
            .key_condition_expression("provider_pk = :p AND provider_sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(provider_id))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to));
        Table::stream::<AppointmentItem>(query).map_ok(Appointment::from)
    }

    /// A client's reservations, newest first, those created before the one whose sort key is
    /// `before` (if given), read `page_size` items at a time as the stream is read.
    pub fn client_reservations(
        &self,
        client_id: &str,
        before: Option<String>,
        page_size: i32,
    ) -> impl Stream<Item = Result<Reservation, StoreError>> + Send + use<> {
        let query = self
            .table
            .query_items()
            .index_name(CLIENT_INDEX)
            .limit(page_size)
            .scan_index_forward(false)
            .expression_attribute_values(":c", s(client_id));
        let query = match before {
            Some(before) => query
                .key_condition_expression("client_pk = :c AND client_sk < :before")
                .expression_attribute_values(":before", s(before)),
            None => query.key_condition_expression("client_pk = :c"),
        };
        Table::stream(query)
    }
}
