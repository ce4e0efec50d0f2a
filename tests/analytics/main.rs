//! Order-event analytics against the local AWS endpoint: ingestion over HTTP (one event or a
//! batch) and through the queue, each event counted once in its rollups however often and
//! whichever way it arrives; conflicts, bad input and poison messages; who may call what.

mod contention;
mod helpers;
mod ingest;
mod limits;
mod months;
mod queries;
mod queue;
