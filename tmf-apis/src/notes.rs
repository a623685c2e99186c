//! Notes are a log: a client appends new ones and can neither change nor remove those already
//! recorded. Each API that carries notes (orders, tickets) judges a request with
//! [`append_only`], and signs and dates what is new.

use crate::error::{TmfError, TmfResult};

/// Checks that `notes` keeps the `stored` notes unchanged and in place, and hands each new
/// note (after them) to `stamp`, which signs and dates it. An empty list becomes `None`.
pub fn append_only<N: PartialEq>(
    stored: &[N],
    notes: &mut Option<Vec<N>>,
    mut stamp: impl FnMut(&mut N),
) -> TmfResult<()> {
    let list = notes.get_or_insert_with(Vec::new);
    if list.len() < stored.len() || list[..stored.len()] != *stored {
        return Err(TmfError::invalid_value(
            "'note': notes are appended; existing notes cannot be changed or removed \
             (if another client added a note since you read the resource, read it again; \
             send If-Match with its ETag to be told so with a 412)",
        ));
    }
    for note in &mut list[stored.len()..] {
        stamp(note);
    }
    if list.is_empty() {
        *notes = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_notes_are_stamped_and_old_ones_must_stay() {
        let stored = vec!["a".to_owned()];
        let mut notes = Some(vec!["a".to_owned(), "b".to_owned()]);
        append_only(&stored, &mut notes, |n| n.push('!')).expect("append");
        assert_eq!(notes, Some(vec!["a".to_owned(), "b!".to_owned()]));

        let mut changed = Some(vec!["z".to_owned(), "b".to_owned()]);
        assert!(append_only(&stored, &mut changed, |_| {}).is_err());
        let mut removed = None;
        assert!(append_only(&stored, &mut removed, |_| {}).is_err());
        let mut none: Option<Vec<String>> = Some(Vec::new());
        append_only(&[], &mut none, |_| {}).expect("nothing to check");
        assert_eq!(none, None);
    }
}
