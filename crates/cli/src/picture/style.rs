//! How a node looks: its caption and its colour.

use relgraph::{NodeValue, ResultValue};

/// The caption of a node: its `name`, else its `title`, else `#id`, cut to
/// [`CAPTION_CHARS`] characters.
pub(crate) fn caption(n: &NodeValue) -> String {
    let text = ["name", "title"]
        .iter()
        .find_map(|k| match n.properties.get(*k) {
            None | Some(ResultValue::Null) => None,
            Some(v) => Some(crate::format::cell_text(v)),
        })
        .unwrap_or_else(|| format!("#{}", n.id));
    cut(text, CAPTION_CHARS)
}

/// Most characters of a caption.
pub(crate) const CAPTION_CHARS: usize = 24;

/// `text` cut to `max` characters, an ellipsis marking the cut.
pub(crate) fn cut(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// The label that colours a node: its first label (none: `None`).
pub(crate) fn primary_label(n: &NodeValue) -> Option<&str> {
    n.labels.first().map(String::as_str)
}

/// Fill colours of labels (Tableau 10, colour-blind friendly).
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#79706e",
];

/// Fill of nodes without a label and of placeholders.
pub(crate) const NO_LABEL_COLOUR: &str = "#d0d0d0";

/// The colour of a label: picked by a hash of its name, so a label has the
/// same colour in every picture.
pub(crate) fn label_colour(label: Option<&str>) -> &'static str {
    let Some(label) = label else {
        return NO_LABEL_COLOUR;
    };
    // FNV-1a: stable across runs and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    PALETTE[(h % PALETTE.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::tests::node;
    use std::collections::BTreeSet;

    #[test]
    fn captions_and_colours() {
        let mut n = node(9, "Person", "");
        assert_eq!(caption(&n), "#9");
        n.properties
            .insert("title".into(), ResultValue::String("CMO".into()));
        assert_eq!(caption(&n), "CMO");
        n.properties
            .insert("name".into(), ResultValue::String("é".repeat(30)));
        assert_eq!(caption(&n), format!("{}…", "é".repeat(CAPTION_CHARS)));
        assert_eq!(label_colour(Some("Person")), label_colour(Some("Person")));
        assert_eq!(label_colour(None), NO_LABEL_COLOUR);
        // The demo graph's main labels get different colours.
        let main = ["Person", "Company", "Event", "Content", "Topic"];
        let colours: BTreeSet<&str> = main.iter().map(|l| label_colour(Some(l))).collect();
        assert_eq!(colours.len(), main.len(), "{colours:?}");
    }
}
