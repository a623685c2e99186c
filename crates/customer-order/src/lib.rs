//! Customer Order Management (TAM): the product catalog (TMF620), product orders (TMF622)
//! and the product inventory (TMF637).
//!
//! This first part holds the rules that need no storage: the order and order-item
//! lifecycles with the roll-up of item states into the order's (`lifecycle`), and pricing
//! from catalog prices with `Decimal` arithmetic (`pricing`). The resources are wired on top
//! of them through `crm-store` and `tmf-apis`, like every other application crate; this crate
//! must not depend on another application crate, on axum middleware, or on the server.

pub mod lifecycle;
pub mod pricing;
