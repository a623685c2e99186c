//! Notes: free-text remarks attached to an entity.

use chrono::{DateTime, Utc};

crate::wire::wire! {
    /// Extra information about a given entity.
    ///
    /// As TMF621, TMF656 and TMF683 v4 define it, every property is optional; TMF622 alone
    /// requires `text`, which an API that needs it checks itself.
    #[derive(Default)]
    pub struct Note {
        /// Identifier of the note within its containing entity (may or may not be globally unique,
        /// depending on provider implementation).
        id: Option<String>,
        /// Author of the note.
        author: Option<String>,
        /// Date of the note.
        date: Option<DateTime<Utc>>,
        /// Text of the note.
        text: Option<String>,
    }
}
