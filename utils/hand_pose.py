"""The hand as flesh on bones: a skeleton in centimetres, posed as people sign 0 to 5.

Hand frame: the origin is the middle of the wrist crease, y runs along the middle finger,
x towards the thumb and z out of the palm (towards the camera when the palm faces it).
Lengths are an average adult hand's; each drawn hand scales them a little.

Each finger is three round cones (proximal, middle, distal bone) hinged at the knuckles.
Folding a finger turns its bones towards the palm side (+z) and then down over the palm,
so a folded finger seen palm-on is what a camera sees: the knuckles of the middle bones
in a row over the top of the palm, the tips tucked in behind them. The thumb's tip is
placed where the sign puts it (out to the side, across the palm, over the folded fingers,
against the index tip) and its two joints follow by two-bone inverse kinematics.

How people sign the counts in the SIGNS photos: 0 is a fist or an "O" of curled fingers
meeting the thumb, seen from the side; 1 the index finger; 2 index and middle; 3 the thumb,
index and middle finger (sometimes index, middle and ring with the thumb holding the little
finger); 4 the four fingers with the thumb across the palm; 5 the open hand.
"""

from dataclasses import dataclass, field

import numpy as np

# name, knuckle (x, y), bone lengths (proximal, middle, distal), radius at knuckle and at tip
_FINGERS = (
    ("index", 2.55, 8.8, (4.2, 2.5, 2.0), 1.0, 0.78),
    ("middle", 0.85, 9.2, (4.7, 2.9, 2.1), 1.03, 0.80),
    ("ring", -0.88, 8.9, (4.3, 2.8, 2.1), 0.98, 0.76),
    ("little", -2.5, 8.2, (3.5, 2.1, 1.9), 0.86, 0.66),
)
_THUMB_ROOT = np.array([2.0, 1.3, 0.4])
# The thumb is short and thick beside the fingers: its tip reaches about the middle of the
# index finger's first bone when it lies against the hand.
_THUMB_BONES = (3.9, 2.7, 2.2)      # metacarpal, proximal, distal
_THUMB_RADII = (1.55, 1.12, 1.0, 0.86)
# The palm: a convex outline in its plane, thickened by a rounded edge of _PALM_EDGE.
_PALM_OUTLINE = np.array([
    (2.55, 8.2), (0.85, 8.6), (-0.9, 8.35), (-2.4, 7.7), (-2.75, 3.2), (-2.2, 0.7),
    (1.9, 0.7), (2.6, 4.4),
])
_PALM_EDGE = 1.1
# The palm's main creases (heart, head and life lines), on its surface.
_PALM_CREASES = (
    ((-3.3, 6.9), (-1.2, 7.0), (0.6, 7.5), (1.6, 8.2)),
    ((3.2, 6.2), (1.2, 5.6), (-0.9, 5.2), (-2.6, 4.6)),
    ((3.1, 6.0), (1.6, 4.6), (1.2, 2.8), (1.0, 0.9)),
)
X, Y, Z = np.eye(3)


@dataclass
class Tube:
    """Flesh round a bone: a round cone from `a` (radius `ra`) to `b` (radius `rb`)."""

    a: np.ndarray
    b: np.ndarray
    ra: float
    rb: float
    palmar: np.ndarray = field(default_factory=lambda: Z.copy())  # the side the palm's skin is on
    flat: float = 1.0        # depth of the cross-section relative to its width
    crease: bool = False     # a joint crease where the tube starts
    material: str = "skin"   # or "cloth"
    in_hand: bool = True     # counted when the hand is framed (the forearm and sleeve are not)


@dataclass
class Slab:
    """The palm: a flat convex outline (k, 3) thickened by a rounded edge of `radius`."""

    corners: np.ndarray
    radius: float
    normal: np.ndarray
    creases: list


@dataclass
class Hand:
    tubes: list
    palm: Slab
    side_view: bool = False  # the sign reads best from the thumb's side (the "O" of zero)

    def transformed(self, matrix, shift):
        """The same hand with every point p moved to matrix @ p + shift (normals turned too)."""
        move = lambda p: matrix @ p + shift  # noqa: E731
        tubes = [Tube(move(t.a), move(t.b), t.ra, t.rb, matrix @ t.palmar, t.flat, t.crease,
                      t.material, t.in_hand) for t in self.tubes]
        palm = Slab(self.palm.corners @ matrix.T + shift, self.palm.radius, matrix @ self.palm.normal,
                    [c @ matrix.T + shift for c in self.palm.creases])
        return Hand(tubes, palm, self.side_view)


def _unit(v):
    return v / np.linalg.norm(v)


def _finger_bones(base, lengths, radii, spread, flex):
    """The three tubes of a finger whose knuckle is at `base`.

    `spread` turns the finger in the palm plane (radians, + towards the thumb); `flex` holds
    the bend at each of the three joints (radians, + towards the palm side).
    """
    along = np.sin(spread) * X + np.cos(spread) * Y
    r_base, r_tip = radii
    tubes, point, total = [], base, 0.0
    for k, (length, bend) in enumerate(zip(lengths, flex)):
        total += bend
        direction = np.cos(total) * along + np.sin(total) * Z
        end = point + length * direction
        ra = r_base + (r_tip - r_base) * k / 3
        rb = r_base + (r_tip - r_base) * (k + 1) / 3
        palmar = -np.sin(total) * along + np.cos(total) * Z
        tubes.append(Tube(point, end, ra, rb, palmar, crease=k > 0))
        point = end
    return tubes


def _two_bone(start, target, lengths, bend_towards):
    """The middle joint of a two-bone chain from `start` reaching for `target`."""
    first, second = lengths
    reach = target - start
    distance = np.clip(np.linalg.norm(reach), abs(first - second) + 0.1, first + second - 0.05)
    along = _unit(reach)
    side = bend_towards - along * (bend_towards @ along)
    side = _unit(side) if np.linalg.norm(side) > 1e-6 else _unit(np.cross(along, X))
    cos_angle = np.clip((first ** 2 + distance ** 2 - second ** 2) / (2 * first * distance), -1, 1)
    joint = start + first * (cos_angle * along + np.sqrt(1 - cos_angle ** 2) * side)
    return joint, start + distance * along, side


class _Sampler:
    """Random draws that collapse to the middle of their range when the pose is held fixed."""

    def __init__(self, rng, vary):
        self.rng, self.vary = rng, vary

    def uniform(self, low, high):
        return self.rng.uniform(low, high) if self.vary else 0.5 * (low + high)

    def degrees(self, low, high):
        return np.radians(self.uniform(low, high))

    def around(self, typical, spread, low, high):
        """Degrees near `typical` (normal, sd `spread`), clipped to [low, high]."""
        value = np.clip(self.rng.normal(typical, spread), low, high) if self.vary else typical
        return np.radians(value)

    def chance(self, p):
        return self.rng.random() < p if self.vary else p >= 0.5


def _finger_pose(state, sample):
    """Bends at the three joints of a finger that is 'up', 'folded' or 'curled' (the O)."""
    if state == "up":
        return sample.degrees(-8, 15), sample.degrees(3, 22), sample.degrees(0, 15)  # never quite straight
    if state == "folded":
        return sample.degrees(58, 95), sample.degrees(80, 112), sample.degrees(35, 75)
    return sample.degrees(40, 70), sample.degrees(60, 100), sample.degrees(30, 60)


def _plan(n, sample, signing):
    """Which fingers are up, where the thumb goes, for count `n`."""
    if n == 0:
        if signing and sample.chance(0.65):
            return ("curled",) * 4, "ring", True
        return ("folded",) * 4, "over", False
    if n == 3 and signing and sample.chance(0.8):
        return ("up", "up", "folded", "folded"), "out", False
    up = {1: 1, 2: 2, 3: 3, 4: 4, 5: 4}[n]
    states = tuple("up" if i < up else "folded" for i in range(4))
    thumb = {1: "over", 2: "over", 3: "over", 4: "across", 5: "out"}[n]
    return states, thumb, False


def _spreads(states, sample):
    """Angles in the palm plane: spread fingers fan out from the middle; folded ones do not."""
    gap = sample.degrees(9, 24)  # as wide for four as for five: spread is no clue to the count
    spreads = []
    for i, state in enumerate(states):
        fan = (1.0 - i) * gap + sample.degrees(-3, 3)  # index +gap, middle 0, ring -gap, ...
        spreads.append(fan if state == "up" else 0.3 * fan)
    if states[:2] == ("up", "up") and states[2] != "up":
        # The V of two (and of three with the thumb): anything from nearly closed to wide
        # open, and mostly the index finger that moves away, the middle one staying near
        # the hand's axis, so one finger of a wide V leans far over.
        opening, share = sample.degrees(12, 60), sample.uniform(0.5, 1.0)
        spreads[0], spreads[1] = share * opening, (share - 1.0) * opening
    return spreads


def _thumb(state, fingers, scale, sample):
    """The thumb's three tubes (the metacarpal fattened into the ball of the thumb).

    `fingers` are the tubes the thumb rests on: the middle bones of the folded fingers
    ("over"), or the index finger's last bone ("ring").
    """
    root = _THUMB_ROOT * scale
    l0, l1, l2 = (length * scale for length in _THUMB_BONES)
    if state == "out":
        angle, lift = sample.degrees(40, 80), sample.uniform(0.05, 0.3)
        base = root + l0 * _unit(np.sin(angle) * X + np.cos(angle) * Y + lift * Z)
        curve = angle - sample.degrees(-5, 20)
        direction = _unit(np.sin(curve) * X + np.cos(curve) * Y + sample.uniform(-0.15, 0.2) * Z)
        joint = base + l1 * direction
        tip = joint + l2 * _unit(direction + sample.uniform(-0.2, 0.15) * Z)
        bend = _unit(-Z + 0.3 * X)
    else:
        # The ball of the thumb swings in front of the palm; the tip goes where the sign puts it.
        base = root + l0 * _unit(sample.uniform(0.15, 0.45) * X + Y + sample.uniform(0.45, 0.85) * Z)
        if state == "across":
            target = np.array([sample.uniform(-1.8, -0.2), sample.uniform(4.5, 6.8), 1.9]) * scale
        elif state == "over":  # in front of the middle bones of the (first two) folded fingers
            held = np.mean([0.5 * (bone.a + bone.b) for bone in fingers[:2]], axis=0)
            target = held + np.array([sample.uniform(-0.8, 0.8), sample.uniform(-0.5, 0.5), 1.5]) * scale
        else:  # the "O": thumb tip against the curled index tip
            target = fingers[0].b + np.array([0.2, -0.3, 0.4]) * scale
        joint, tip, bend = _two_bone(base, target, (l1, l2), _unit(X + Z))
    r0, r1, r2, r3 = (r * scale for r in _THUMB_RADII)
    palmar = _unit(-bend)
    return [Tube(root, base, r0, r1, palmar, flat=0.75),
            Tube(base, joint, r1, r2, palmar, crease=True),
            Tube(joint, tip, r2, r3, palmar, crease=True)]


def _forearm(scale, sample, sleeve):
    """The forearm leaving the picture, bent at the wrist; `sleeve`: None or (start, looseness)."""
    # The forearm often comes in from a lower corner while the hand stays upright.
    deviation, extension = sample.around(0, 15, -40, 40), sample.around(-8, 6, -25, 12)
    direction = _unit(np.sin(deviation) * X - np.cos(deviation) * Y + np.tan(extension) * Z)
    wrist = np.array([0.0, -0.8, -0.5]) * scale  # the heel of the palm lies in front of it
    width = sample.uniform(2.35, 2.8) * scale
    tubes = [Tube(wrist, wrist + 40 * scale * direction, width, width * 1.3, Z.copy(), flat=0.6,
                  in_hand=False)]
    if sleeve:
        start = wrist + sleeve[0] * scale * direction
        loose = sleeve[1] * scale
        tubes.append(Tube(start, start + 40 * scale * direction, width + loose, width * 1.3 + loose,
                          Z.copy(), flat=0.85, material="cloth", in_hand=False))
    return tubes


def pose_hand(n, rng, vary=True, signing=True, sleeve=None):
    """A right hand showing `n` (0 to 5) in its own frame (centimetres).

    `vary` draws the proportions and every joint angle at random (False: the middle of each
    range, the same hand every time); `signing` uses the SIGNS photos' ways of showing 0
    and 3 (False: 0 is a plain fist and 3 the index, middle and ring fingers). `sleeve` is
    None (a bare forearm) or where a sleeve starts (cm from the wrist) and how loose it is (cm).
    """
    sample = _Sampler(rng, vary)
    scale = sample.uniform(0.86, 1.12)
    # The bones start at the knuckles, inside the palm; the skin between the fingers reaches
    # about 2 cm further up, so a finger shows about 7-8 cm of its length, a little less
    # than the palm is broad. Fingers drawn at their bones' full length looked like sticks
    # beside a narrow palm (benchmarks/SIGNS-TRANSFER.md, v4).
    length = sample.uniform(0.78, 0.92)
    width = sample.uniform(1.0, 1.25)    # the palm's breadth
    slender = sample.uniform(0.8, 0.95)  # the fingers' thickness, relative to that breadth
    states, thumb_state, side_view = _plan(n, sample, signing)
    spreads = _spreads(states, sample)
    tubes, held = [], []
    for (name, x, y, lengths, r_base, r_tip), state, spread in zip(_FINGERS, states, spreads):
        bones = _finger_bones(np.array([x, y, 0.0]) * scale,
                              [ell * scale * length * sample.uniform(0.96, 1.04) for ell in lengths],
                              (r_base * scale * width * slender, r_tip * scale * width * slender), spread,
                              _finger_pose(state, sample))
        tubes += bones
        if state == "folded":
            held.append(bones[1])
    if thumb_state == "ring":
        held = [tubes[2]]  # the index tip, for the thumb to meet
    tubes += _thumb(thumb_state, held, scale, sample)
    tubes += _forearm(scale, sample, sleeve)
    outline = np.column_stack([_PALM_OUTLINE * scale * [width ** 0.5, 1.0],
                               np.zeros(len(_PALM_OUTLINE))])
    creases = [np.column_stack([np.array(c) * scale, np.full(len(c), _PALM_EDGE * scale)])
               for c in _PALM_CREASES]
    return Hand(tubes, Slab(outline, _PALM_EDGE * scale, Z.copy(), creases), side_view)
