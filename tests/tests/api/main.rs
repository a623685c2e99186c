//! The black-box tests of the running server, one test binary: each module is the tests of
//! one concern, run through the real router on a fresh database each. One file's tests run
//! alone with `cargo test -p crm-tests --test api <module>::` (e.g. `ordering::`).

mod adjustments;
mod bad_input;
mod bill_exchange;
mod billed;
mod billing;
mod catalog;
mod conditional;
mod conformance;
mod customer_information;
mod disputes;
mod erasure;
mod errors;
mod events;
mod fixtures;
mod idempotency;
mod interop;
mod loyalty;
mod modules;
mod ordering;
mod outages;
mod phones;
mod references;
mod security;
mod slas;
mod tickets;
mod tidy;
mod tmf630;
