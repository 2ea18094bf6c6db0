"""The demo text notes: short original poems, lyrics and studio notes (a few in French and
Spanish), on the same themes as the demo paintings and pieces so that a search crosses kinds."""
from __future__ import annotations

from typing import NamedTuple


class NoteText(NamedTuple):
    folder: str
    filename: str
    text: str


POEMS, LYRICS, STUDIO = "poems", "lyrics", "studio notes"

NOTES: tuple[NoteText, ...] = (
    NoteText(POEMS, "harbour-at-four.txt", """Harbour at Four

The lighthouse counts the waves out loud,
one for the boats, one for the drowned,
one for the gull that rides the squall
and never lands at all.

Salt on the window, rope on the stone,
the kettle singing on its own.
I paint the grey and the grey paints back:
green under blue, blue under black.
"""),
    NoteText(POEMS, "birch-wood-in-october.txt", """Birch Wood in October

White trunks written on a yellow page,
each one a sentence with its commas of bark.
The wind turns the leaves like coins
and spends them, slowly, on the path.

I walk until the light goes amber,
until the trees are only their own outlines,
and the wood is a sketch of itself
that someone forgot to colour in.
"""),
    NoteText(POEMS, "city-after-midnight.txt", """City After Midnight

Every window is a small lamp of somebody's hour:
a late supper, a fever, a letter not sent.
The river keeps a copy of each one
and shakes it gently, so the light won't settle.

From the bridge the whole skyline hums in gold,
a chord held down with the sustain pedal,
and I am a single quiet note in it,
walking home.
"""),
    NoteText(POEMS, "la-mer-en-hiver.txt", """La mer en hiver

La mer a mis son manteau gris,
elle parle bas aux rochers noirs.
Un bateau rouge, un seul, dérive
entre l'écume et le soir.

Je garde dans ma poche un galet
poli par mille marées lentes ;
il a la couleur de ton silence
et la forme d'une attente.
"""),
    NoteText(POEMS, "jardin-de-acuarela.txt", """Jardín de acuarela

El agua lleva el color
más lejos de lo que quiero:
la amapola azul se abre
y se derrama en el papel.

Dejo que la lila se mezcle
con el verde de los tallos;
en cada borde que se seca
queda un hilo más oscuro,
como la memoria de una flor.
"""),
    NoteText(LYRICS, "rainy-window-loop.txt", """Rainy Window Loop (lyrics)

[Verse]
Steam on the glass, the kettle's low,
the city's humming soft and slow,
I count the drops, I lose the count,
the radio turns the volume down.

[Chorus]
Stay in, stay in, the rain's a song,
it plays in A minor all night long,
four chords round and round again,
a little jazz, a little rain.
"""),
    NoteText(LYRICS, "lantern-waltz.txt", """Lantern Waltz (lyrics)

[Verse 1]
Hang up the lantern, open the door,
sweep all the sawdust off the floor,
the fiddler is tuning, the night is young,
and every old tune wants to be sung.

[Chorus]
One, two, three, and around we go,
under the lantern's yellow glow,
one, two, three, and the stars come through,
I'll save the last of the waltz for you.
"""),
    NoteText(LYRICS, "the-heather-road.txt", """The Heather Road (lyrics)

[Verse]
Up by the heather, down by the burn,
the road keeps its promise at every turn,
the hills go purple, the sky goes wide,
and the jig keeps time at my side.

[Chorus]
Oh the heather road, the heather road,
light is the step and light the load,
sing it in D with a six-eight beat,
and the miles run under your feet.
"""),
    NoteText(LYRICS, "neon-y-lluvia.md", """# Neón y lluvia

## Verso
Las luces rosas en el charco,
el último autobús se va,
la ciudad es un teclado
que nadie sabe tocar.

## Estribillo
Neón y lluvia, lluvia y neón,
la noche late en mi corazón,
bajo el paraguas de la canción
bailamos solos, tú y yo.
"""),
    NoteText(STUDIO, "palette-notes-seascapes.md", """# Palette notes: seascapes

## Storm
- Sky: payne's grey into a cold blue-grey, never pure black.
- Sea: dark teal near the viewer, lighter slate at the horizon (atmosphere flattens value).
- Foam: broken white only on the crests facing the light; leave gaps.

## Calm morning
- Peach and pale blue in the sky, a warm stripe at the horizon.
- Sun path on the water: short horizontal dabs, widening towards the viewer.
- One red sail as the only saturated note in the picture.
"""),
    NoteText(STUDIO, "composition-rules-of-thumb.md", """# Composition, rules of thumb

## Planes
Work in three planes: far (pale, cool, soft edges), middle, near (dark, warm, crisp edges).
Hills and trees step down in value as they come forward.

## Placement
- Horizon on a third, not in the middle, unless the picture is about stillness.
- The brightest light and the darkest dark meet at the focal point.
- Lead the eye with a path: a river, a wave line, a row of windows.

## Edges
Lost and found edges: let a silhouette dissolve into mist somewhere, and keep it sharp where it matters.
"""),
    NoteText(STUDIO, "night-city-study.md", """# Night city study

## Palette
Indigo and deep navy for the sky, near-black violet for the buildings. Windows in two temperatures:
sodium orange and cold television blue. Neon accents only in magenta and cyan.

## Technique
1. Block in the skyline silhouettes, far rows lighter and bluer.
2. Dot the windows on a loose grid; leave whole floors dark.
3. Glaze a glow around the brightest clusters.
4. For the river, mirror the lights and drag them down into vertical streaks.
"""),
    NoteText(STUDIO, "harmony-sketchbook.md", """# Harmony sketchbook

## Progressions to try
- I - vi - IV - V: the old faithful; works as a waltz in 3/4 too.
- ii7 - V7 - Imaj7: the jazz cadence; voice the 3rd and 7th, let the bass walk.
- i - VI - III - VII in A minor: the lofi loop, with seventh chords and lazy strums.
- Lydian I - II: glassy and floating, good for ambient pads.

## Melody
Chord tones on the strong beats, steps in between. Phrases of four bars:
the first ends on the dominant (a question), the second on the tonic (the answer).
"""),
    NoteText(STUDIO, "watercolour-flowers-log.md", """# Watercolour flowers, session log

## Paper and water
Cold-pressed paper, stretched. Wet the petals first, then drop the colour in and let it bloom.

## Colours
- Peonies: permanent rose, a touch of quinacridone gold at the centre.
- Blue poppies: cerulean with a little ultramarine; dark centres in indigo.
- Lilac: dioxazine violet diluted until it whispers.

## Notes to self
The dark rim at the edge of a drying wash is a gift: don't scrub it out.
Overlap petals while the first layer is still damp for soft edges, dry for crisp ones.
"""),
    NoteText(STUDIO, "carnet-d-atelier.md", """# Carnet d'atelier

## Croquis à l'encre
Hachures à quarante-cinq degrés pour les demi-teintes, puis hachures croisées dans les ombres.
Le contour une seule fois, d'un geste, sans revenir.

## Idées
- Une nature morte : cruche et poires, lumière venant de la gauche.
- Un chêne en hiver, seul sur la ligne d'horizon.
- Des lignes qui coulent comme de l'eau, sans sujet.
"""),
)
