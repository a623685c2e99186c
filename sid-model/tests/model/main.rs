//! The SID model's tests, in one binary: every resource read and written with documents like
//! the examples of its specification, and every wire type checked against its v4 definition.

// The `json!` documents of fully populated resources nest deeper than the default allows.
#![recursion_limit = "256"]

mod accounts;
mod bills;
mod interactions;
mod ordering;
mod resources;
mod spec_conformance;
mod support;
