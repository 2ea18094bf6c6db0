"""What each score of a generated result means, in words a user reads beside the number: one table
per kind of result (picture, piece, text), shown by the result strips and the History details.
"""
from __future__ import annotations

from typing import NamedTuple

from ragart_desktop.core.generate.image.near_copy import NEAR_COPY
from ragart_desktop.core.music.copyguard import NEAR_COPY_NOTES

class ScoreMeaning(NamedTuple):
    """What a score means, in words a user reads beside the number (the result strip, history)."""

    label: str
    short: str          # a few words, on screen
    explanation: str    # the whole story, in a tooltip


IMAGE: dict[str, ScoreMeaning] = {
    "reference_similarity": ScoreMeaning(
        "Like its references", "look shared with the references (1 = same)",
        "Closeness in colour, texture and layout to the references that shaped it, weighted as they "
        "were: 1 is the same look, 0 unrelated."),
    "max_reference_similarity": ScoreMeaning(
        "Closest reference", "the one reference it is most like",
        "Closeness to the single reference it is most like; near 1 it may copy that one."),
    "prompt_words_in_references": ScoreMeaning(
        "Prompt words in references", "share of the prompt's words the references hold",
        "The share of the prompt's words found in the references' tags, titles and descriptions: how "
        "well the references fit the prompt, not the picture (without a CLIP model nothing reads the "
        "picture itself)."),
    "prompt_fit": ScoreMeaning(
        "Fits the prompt", "CLIP: picture vs prompt (0.2–0.35 is good)",
        "CLIP's agreement between the picture and the prompt; about 0.2–0.35 is a good fit."),
    "nearest_similarity": ScoreMeaning(
        "Nearest library item", "share of the picture copied from it",
        "The share of the picture copied from the library item it is most copied from, after aligning "
        "crops, scaling, mirroring, small rotations and recolouring; the near-copy guard flags it from "
        f"{NEAR_COPY:.2f}."),
}
# prompt_fit in records made before it was CLIP's alone, by how it was measured.
_OLDER_PROMPT_FIT = {
    "library-words": ScoreMeaning(
        "Prompt words (indirect)", "no CLIP model: the prompt vs look-alikes' words",
        "How well the words of the library pictures that look most like it match the prompt. Without a "
        "CLIP model the picture itself is not read, so this is indirect."),
    "": ScoreMeaning("Fits the prompt", "how well it matches the prompt",
                     "How well it matches the prompt (how it was measured was not recorded)."),
}

MUSIC: dict[str, ScoreMeaning] = {
    "in_key_ratio": ScoreMeaning(
        "In key", "share of the pitched notes inside the key",
        "The share of the pitched notes whose pitch class belongs to the piece's key (1 = all)."),
    "note_density": ScoreMeaning(
        "Density", "notes per beat, all tracks", "How many notes start per beat, over all tracks."),
    "style_match": ScoreMeaning(
        "Style match", "how alike its bars are to the references' (1 = alike)",
        "The overlap of the distributions of per-bar features (pitch count, note count, range, "
        "intervals, rhythm) with the references' (Yang & Lerch 2018): 1 is alike, 0 unrelated."),
    "pitch_class_entropy": ScoreMeaning(
        "Pitch variety", "entropy of the pitch classes (bits, up to 3.58)",
        "How evenly the twelve pitch classes are used: low for a few notes, 3.58 bits for all alike."),
    "scale_consistency": ScoreMeaning(
        "Scale consistency", "share of notes in the best-fitting scale",
        "The largest share of the notes that fits one major or minor scale."),
    "groove_consistency": ScoreMeaning(
        "Groove consistency", "how alike the bars' rhythms are (1 = same)",
        "One minus the mean difference of onset patterns between neighbouring bars."),
    "polyphony": ScoreMeaning(
        "Polyphony", "pitched notes sounding together, on average",
        "How many pitched notes sound at once, on average over the time any of them sounds."),
    "longest_copy_notes": ScoreMeaning(
        "Longest copied passage", "notes in a row matching one library piece",
        "The longest run of notes that matches one library piece up to key and tempo; the near-copy "
        f"guard flags it from {NEAR_COPY_NOTES} notes."),
    "nearest_similarity": ScoreMeaning(
        "Nearest library piece", "music descriptor closeness (1 = same)",
        "Closeness to the most alike library piece in the transposition-invariant music descriptor."),
}

TEXT: dict[str, ScoreMeaning] = {
    "theme": ScoreMeaning("Theme", "closeness to the prompt's theme",
                          "How close the text is to the prompt's theme (how: the record's theme_method)."),
    "form": ScoreMeaning("Form", "how well the lines keep the form (1 = exactly)",
                         "Line count and syllables or characters per line against the chosen form."),
    "rhyme": ScoreMeaning("Rhyme", "share of the rhymes the form asks for",
                          "The share of the line endings that rhyme where the form asks them to."),
    "copy_longest": ScoreMeaning("Longest copied span", "characters copied verbatim from one note",
                                 "The longest span copied word for word from one library note."),
}

SCORE_MEANINGS: dict[str, dict[str, ScoreMeaning]] = {"image": IMAGE, "music": MUSIC, "text": TEXT}


def score_meaning(key: str, prompt_fit_method: str = "", kind: str = "image") -> ScoreMeaning:
    """What score ``key`` of a ``kind`` result means (``prompt_fit`` by its recorded ``prompt_fit_method``)."""
    if kind == "image" and key == "prompt_fit" and not prompt_fit_method.startswith("clip"):
        return _OLDER_PROMPT_FIT.get(prompt_fit_method, _OLDER_PROMPT_FIT[""])
    return SCORE_MEANINGS.get(kind, IMAGE).get(key) or ScoreMeaning(key.replace("_", " ").capitalize(), "", "")
