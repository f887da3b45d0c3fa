"""Drawing SIGNS-style hand signs: a 64x64 RGB photo of a hand showing 0 to 5 fingers.

The original SIGNS photos cannot be shipped, so the course draws its own, and draws them to
look photographed, since a model trained on them should read real photos too. A hand is
posed in three dimensions (`hand_pose`: bones in centimetres, the fingers and thumb placed
as people sign each count), turned and placed before a pinhole camera, drawn with a depth
buffer (`hand_raster`) and lit: skin shading with a light from above and to one side,
creases and contact shadows where parts meet, the palm lighter than the back of the hand.
It stands against a light wall of an indoor room with the hand's soft shadow on it, as far
from the camera whatever the sign (a fist looks small, an open hand large), and goes
through what a phone does to a picture: exposure, tone curve and white balance,
downscaling, blur or sharpening, sensor noise and JPEG compression.

Every nuisance is random and independent of the count (only the pose tells the classes
apart; the pose also sets how much of the frame the hand fills, as in real photos). Each
has a name in `NUISANCES`; `render_signs_image(..., plain=names)` holds those at one plain
value, which is how benchmarks/signs_transfer.py finds out which of them matter for
reading real photos. The course's data holds `HELD_PLAIN` plain (see there).
"""

import io

import numpy as np
from PIL import Image, ImageFilter

from . import hand_pose
from .hand_raster import CLOTH, SKIN, Canvas, blur, draw_lines, draw_slab, draw_tube
from .messages import label, register

SIZE = 64
# Bump whenever the drawing changes: the per-user cache folder is named after it, so a new
# version never trains on images an older renderer left behind.
SIGNS_VERSION = 4
CLASSES = tuple(range(6))
NUISANCES = (
    "signing",     # 0 as a fist or an "O", 3 with the thumb (off: plain counting from the index)
    "pose",        # hand proportions, finger spread and bend (off: the same hand every time)
    "view",        # turn, tilt and roll of the hand, camera distance, left or right hand
    "framing",     # how much of the frame the hand fills, and where
    "skin",        # skin tone (off: one medium tone)
    "light",       # light direction, softness, colour and exposure
    "shading",     # 3-D shading, creases and contact shadows (off: flat colour)
    "background",  # the wall's colour and brightness, sometimes not a light wall
    "wall_light",  # light falling unevenly on the wall: brighter to one side, darker at the edges
    "shadow",      # the hand's shadow on the wall
    "sleeve",      # a sleeve on the forearm
    "blur",        # focus and shake, and the phone's sharpening
    "noise",       # sensor noise
    "jpeg",        # JPEG compression
)
# Held plain in the course's data: the wall, which notebook 2 asks to be light and plain,
# and the light on it. An unevenly lit wall ("wall_light", `signs_transfer.py --vary
# wall_light`) took fewer real hands for the "O" of zero (19 of 300 against 31), but over
# six trainings it read the photos no better (0.644 against 0.658) and the generated test
# worse (0.872 against 0.914), so it stays off (benchmarks/SIGNS-TRANSFER.md, "Session
# 25"). Blur and sharpening, grain and JPEG vary since v4: a model trained without them
# read real photos differently once they were a little softer or sharper ("Session 24"),
# and with them the notebook's ResNet50 still learns the set.
# `render_signs_image(n, rng, plain=())` draws every nuisance.
HELD_PLAIN = ("background", "wall_light")
PLAIN_WALL = (0.86, 0.86, 0.85)  # sRGB of the wall held plain: a light grey, as notebook 2 asks
_SUPER = 1.5  # drawn larger and averaged down, as a phone photo is downscaled
# Fine noise, drawn once: the sensor's grain (channel 0 brightness, 1-3 colour) and the
# skin's pores (channel 0). Each picture takes a random window of it, which costs nothing,
# where fresh noise took a tenth of the drawing.
_GRAIN = np.random.default_rng(20240).standard_normal((256, 256, 4), dtype=np.float32)


def _grain_window(rng, size):
    """A random size x size window of `_GRAIN` (all four channels)."""
    row, col = rng.integers(0, _GRAIN.shape[0] - size, size=2)
    return _GRAIN[row:row + size, col:col + size]
_CANVAS = int(SIZE * _SUPER)
_LUMA = np.array([0.2126, 0.7152, 0.0722])
# Back-of-hand skin, light to dark (sRGB), and the pink the palm's skin tends towards.
_SKIN_TONES = np.array([(245, 214, 196), (232, 190, 160), (212, 160, 126), (178, 124, 90),
                        (130, 86, 60), (86, 56, 40)]) / 255.0
_PALM_TINT = np.array([236, 182, 162]) / 255.0
_SKIN_REFLECTANCE = 0.6  # relative to the tones above, when the wall's albedo is 0.85
_CHANNEL_SOFTNESS = np.array([0.8, 1.0, 1.2])  # light bleeds red through skin into its shadows


def _linear(srgb):
    return np.asarray(srgb, dtype=np.float64) ** 2.2


def _hsv(h, s, v):
    i, f = int(h * 6) % 6, h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i])


def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def _rotation(yaw, pitch, roll):
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    turn = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    tilt = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    spin = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return spin @ tilt @ turn


class _Draw:
    """Random draws for one nuisance: its plain value when that nuisance is held fixed."""

    def __init__(self, rng, plain):
        self.rng, self.plain = rng, frozenset(plain)

    def on(self, nuisance):
        return nuisance not in self.plain

    def uniform(self, nuisance, low, high, fixed=None):
        if self.on(nuisance):
            return self.rng.uniform(low, high)
        return 0.5 * (low + high) if fixed is None else fixed

    def around(self, nuisance, typical, spread, low, high):
        """Mostly near `typical` (a normal of sd `spread`), never outside [low, high]: as
        photos of a hand sign are, mostly taken the usual way, some of them not."""
        if not self.on(nuisance):
            return typical
        return float(np.clip(self.rng.normal(typical, spread), low, high))

    def chance(self, nuisance, p, fixed=False):
        return self.rng.random() < p if self.on(nuisance) else fixed


# ---------------------------------------------------------------- camera and framing

class _View:
    """Where the hand is in the picture: pixels from camera coordinates (centimetres)."""

    def __init__(self, hand, draw):
        side = hand.side_view
        if side:  # the "O" of zero, seen from the thumb's side
            yaw = -np.radians(draw.uniform("view", 45, 80, fixed=62))
        else:
            yaw = np.radians(draw.around("view", 0, 8, -30, 30))
        pitch = np.radians(draw.around("view", 0, 6, -20, 20))
        roll = np.radians(draw.around("view", 0, 18, -45, 45))  # held at a slant as often as not
        self.distance = draw.uniform("view", 28, 70)
        self.mirror = draw.chance("view", 0.5)
        centre = hand.palm.corners.mean(axis=0)
        turn = _rotation(yaw, pitch, roll)
        self.hand = hand.transformed(turn, -turn @ centre)
        self._frame(draw)

    def _project(self, points):
        points = np.atleast_2d(points)
        depth = self.distance - points[:, 2]
        zoom = self.distance / depth
        return np.column_stack([points[:, 0] * zoom, -points[:, 1] * zoom, depth]), zoom

    def _frame(self, draw):
        """Scale and shift so that the hand (not the forearm) fills part of the frame.

        The camera stands about as far from every hand, so a fist looks small and an open
        hand large, as in the SIGNS photos: the scale is set by the size of this hand held
        flat (wrist to fingertips about 2.15 times the palm's widest span), whatever the
        sign, and then only shrunk where the posed hand would leave the frame.
        """
        boxes = []
        for tube in self.hand.tubes:
            if tube.in_hand:
                ends, zoom = self._project(np.stack([tube.a, tube.b]))
                radius = np.array([tube.ra, tube.rb]) * zoom
                boxes += [ends[:, :2] - radius[:, None], ends[:, :2] + radius[:, None]]
        corners, _ = self._project(self.hand.palm.corners)
        boxes += [corners[:, :2] - self.hand.palm.radius, corners[:, :2] + self.hand.palm.radius]
        boxes = np.concatenate(boxes)
        low, high = boxes.min(axis=0), boxes.max(axis=0)
        palm = self.hand.palm.corners
        flat_hand = 2.15 * np.linalg.norm(palm[:, None] - palm[None], axis=-1).max()
        fill = draw.around("framing", 0.85, 0.08, 0.6, 1.0)
        self.scale = min(fill * _CANVAS / flat_hand, 0.98 * _CANVAS / (high - low).max())
        extent = (high - low) * self.scale
        slack = np.maximum(_CANVAS - extent, 0.0) / 2
        # Anywhere the whole hand stays in the frame, mostly near the middle.
        jitter = np.array([draw.around("framing", 0.0, 0.4, -1, 1) for _ in range(2)])
        self.offset = _CANVAS / 2 + jitter * slack - (low + high) / 2 * self.scale

    def pixels(self, points):
        """(column, row, depth in cm) of each point, and how much nearer points look bigger."""
        projected, zoom = self._project(points)
        projected[:, :2] = projected[:, :2] * self.scale + self.offset
        return projected, zoom * self.scale


# ---------------------------------------------------------------- the hand

def _draw_hand(view, draw, canvas):
    shading = draw.on("shading")
    tubes = view.hand.tubes
    ends_all, px_all = view.pixels(np.array([end for tube in tubes for end in (tube.a, tube.b)]))
    for part, tube in enumerate(tubes):
        ends, px = ends_all[2 * part:2 * part + 2].tolist(), px_all[2 * part:2 * part + 2].tolist()
        facing = float(np.clip(tube.palmar[2] * 1.5 + 0.5, 0.0, 1.0))  # palm-side skin towards us
        crease = draw.uniform("shading", 0.05, 0.2) * facing if tube.crease and shading else 0.0
        material = CLOTH if tube.material == "cloth" else SKIN
        draw_tube(canvas, ends[0], ends[1], tube.ra * px[0], tube.rb * px[1], view.scale, tube.flat,
                  facing, material, crease, part)
    palm = view.hand.palm
    corners, px = view.pixels(palm.corners)
    part = len(tubes)
    draw_slab(canvas, corners, palm.radius * px.mean(), palm.radius, palm.normal, part)
    if shading:
        lines = [view.pixels(line)[0] for line in palm.creases]
        draw_lines(canvas, lines, 0.9, draw.uniform("shading", 0.05, 0.22), part)


def _skin(draw):
    """Back-of-hand and palm colours (linear RGB): the palm is lighter and pinker."""
    tone = draw.uniform("skin", 0.0, 1.0, fixed=0.35)
    grid = np.linspace(0.0, 1.0, len(_SKIN_TONES))
    back = np.array([np.interp(tone, grid, _SKIN_TONES[:, c]) for c in range(3)])
    if draw.on("skin"):
        back = np.clip(back * np.exp(draw.rng.normal(0.0, [0.03, 0.03, 0.05])), 0.0, 1.0)
    palm = back + (_PALM_TINT - back) * (0.08 + 0.2 * tone)
    # The tones are skin as it looks in a well-exposed photo of it alone; beside a white
    # wall, which reflects about twice as much light, skin looks darker.
    return _linear(back) * _SKIN_REFLECTANCE, _linear(palm) * _SKIN_REFLECTANCE


def _light(draw):
    """A key light (unit vector towards it), soft fill and a colour, all in camera terms.

    Indoor photos of a hand are lit from one side more than from the front: the fingers'
    far sides and the gaps between them fall into shadow, which is much of what shows
    where one finger ends and the next begins.
    """
    tilt = np.radians(draw.around("light", 45, 12, 15, 75))
    if draw.chance("light", 0.2):
        around = draw.rng.uniform(0, 2 * np.pi)
    else:
        around = np.radians(draw.uniform("light", 35, 145, fixed=90))  # from above, mostly
    warmth = draw.around("light", 0.25, 0.4, -1.0, 1.0)  # indoor light is mostly warm
    return {
        "direction": np.array([np.sin(tilt) * np.cos(around), np.sin(tilt) * np.sin(around), np.cos(tilt)]),
        "fill": draw.uniform("light", 0.15, 0.5),
        "wrap": draw.uniform("light", 0.15, 0.6, fixed=0.4),
        "colour": np.array([1.0 + 0.09 * warmth, 1.0, 1.0 - 0.13 * warmth]),
        "shine": draw.uniform("light", 0.0, 0.06, fixed=0.03),
    }


def _hand_radiance(canvas, draw, light):
    """Linear RGB (k, 3) of the k pixels the hand covers (`canvas.coverage > 0`), lit."""
    covered = canvas.coverage > 0
    back, palm = _skin(draw)
    cloth = _linear(_hsv(draw.rng.uniform(0, 1), draw.rng.uniform(0, 0.7), draw.rng.uniform(0.15, 0.9)))
    palmar = canvas.palmar[covered][:, None]
    albedo = (back + (palm - back) * palmar).astype(np.float32)
    skin = (canvas.material[covered] == SKIN)[:, None]
    if not draw.on("shading"):
        flat = light["fill"] + light["direction"][2]
        return np.where(skin, albedo, cloth) * (flat * light["colour"])
    normal = canvas.normal[:, covered]
    facing = light["direction"] @ normal
    wrap = light["wrap"]
    diffuse = np.clip((facing + wrap) / (1 + wrap), 0.0, 1.0)[:, None]
    occlusion = (canvas.occlusion(2.5 * _SUPER, 1.2)[covered] * draw.uniform("shading", 0.25, 0.6))[:, None]
    fill = light["fill"] * (1.0 - occlusion)
    blotch = _smooth_noise(draw.rng, 6, 0.05)[covered][:, None]
    # Skin is not smooth at the scale of a pixel: pores, hairs and fine lines.
    pores = _grain_window(draw.rng, _CANVAS)[..., 0][covered][:, None]
    blotch = blotch + pores * np.float32(draw.uniform("shading", 0.02, 0.05))
    albedo = albedo * (1.0 + blotch) * (1.0 - canvas.crease[covered][:, None])
    lit_skin = fill + diffuse ** _CHANNEL_SOFTNESS * (1.0 - 0.5 * occlusion)
    halfway = _unit(light["direction"] + np.array([0.0, 0.0, 1.0]))
    sheen = light["shine"] * np.clip(halfway @ normal, 0.0, 1.0)[:, None] ** 12
    radiance = np.where(skin, albedo * lit_skin + sheen, cloth * (fill + diffuse))
    return radiance * light["colour"]


# ---------------------------------------------------------------- the room

def _smooth_noise(rng, cells, amplitude, size=_CANVAS):
    """Soft texture: a coarse random grid scaled up with bicubic interpolation."""
    grid = rng.normal(0.0, 1.0, size=(cells, cells)).astype(np.float32)
    image = Image.fromarray(grid, mode="F").resize((size, size), Image.BICUBIC)
    return np.asarray(image, dtype=np.float64) * amplitude


def _wall(draw, light, canvas):
    """The background's linear RGB, and the brightness (sRGB) the exposure gives it.

    Mostly a light, nearly white wall or sheet, as in the SIGNS photos; sometimes (one in
    about thirty) any colour, darker, with a pattern, so that nothing is learned from the
    wall. Held plain ("background"), one light grey; the light on it stays uneven unless
    "wall_light" is held plain too.
    """
    rows, cols = canvas.rows / _CANVAS - 0.5, canvas.cols / _CANVAS - 0.5
    if not draw.on("background"):
        shade = _uneven_light(draw, rows, cols, draw.uniform("wall_light", 0, 2 * np.pi), 0.03)
        wall = _linear(PLAIN_WALL) * np.clip(shade, 0.2, None)[..., None]
        return np.broadcast_to(wall, (_CANVAS, _CANVAS, 3)).copy(), PLAIN_WALL[0]
    rng = draw.rng
    light_wall = rng.random() < 0.97
    if light_wall:
        colour = _hsv(rng.uniform(0, 1), 0.1 * rng.uniform(0, 1) ** 2, 1.0) * 0.85
        brightness = draw.around("background", 0.84, 0.07, 0.6, 0.97)
    else:  # metered on the hand, which the camera was pointed at
        colour = _hsv(rng.uniform(0, 1), rng.uniform(0, 0.6), rng.uniform(0.05, 1.0))
        brightness = -rng.uniform(0.45, 0.8)
    angle = rng.uniform(0, 2 * np.pi)
    shade = _uneven_light(draw, rows, cols, angle, 0.03 if light_wall else 0.08)
    if not light_wall and rng.random() < 0.3:
        stripes = np.sin((cols * np.cos(angle) + rows * np.sin(angle)) * _CANVAS * 2 * np.pi / rng.uniform(6, 30))
        shade = shade + stripes * rng.uniform(0.03, 0.12)
    wall = _linear(colour) * np.clip(shade, 0.2, None)[..., None]
    return np.broadcast_to(wall, (_CANVAS, _CANVAS, 3)) * light["colour"], brightness


def _uneven_light(draw, rows, cols, angle, texture):
    """How much light each point of the wall gets (1 in the middle): brighter towards `angle`,
    darker towards the corners, with a faint soft texture up to `texture`."""
    if not draw.on("wall_light"):
        return np.float64(1.0)
    rng = draw.rng
    falloff = (1.0 + rng.uniform(0.0, 0.5) * (cols * np.cos(angle) + rows * np.sin(angle))
               - rng.uniform(0.0, 0.4) * (cols ** 2 + rows ** 2))
    return falloff + _smooth_noise(rng, int(rng.integers(3, 10)), rng.uniform(0.0, texture))


def _cast_shadow(coverage, draw, light):
    """The hand's soft shadow on the wall: its silhouette shifted away from the light, blurred."""
    if not draw.on("shadow"):
        return np.ones_like(coverage)
    rng = draw.rng
    away = -light["direction"][:2]
    away = away / max(np.linalg.norm(away), 1e-6) * rng.uniform(1.0, 9.0) * _SUPER
    picture = Image.fromarray((coverage * 255).astype(np.uint8))
    # Picture rows grow downwards, the light's y upwards.
    picture = picture.transform(picture.size, Image.AFFINE, (1, 0, -away[0], 0, 1, away[1]),
                                resample=Image.BILINEAR)
    mask = blur(np.asarray(picture, dtype=np.float32) / 255, rng.uniform(1.5, 6.0) * _SUPER)
    strength = rng.uniform(0.25, 0.75) / (1.0 + light["fill"])
    return 1.0 - strength * mask


# ---------------------------------------------------------------- the phone



def _photograph(radiance, draw):
    """The phone: downscaling, white balance and gamma, then blur, sensor noise and JPEG."""
    gains = np.exp(np.array([draw.around("light", 0.0, 0.03, -0.08, 0.08), 0.0,
                             draw.around("light", 0.0, 0.03, -0.1, 0.08)]))
    # Phones differ in tone curve: some pictures come out with more contrast, some flatter.
    gamma = np.float32(1 / 2.2 * np.exp(draw.around("light", 0.0, 0.1, -0.25, 0.25)))
    image = np.clip(radiance, 0.0, 1.0) ** gamma * (gains * 255).astype(np.float32)
    picture = Image.fromarray(np.clip(image + 0.5, 0, 255).astype(np.uint8))
    picture = picture.resize((SIZE, SIZE), Image.Resampling.BOX)
    rng = draw.rng
    if draw.on("blur"):
        picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.0) ** 3 * 0.6))
        if rng.random() < 0.5:  # most phones sharpen what they save
            radius, percent = rng.uniform(0.8, 1.8), int(rng.uniform(30, 130))
            picture = picture.filter(ImageFilter.UnsharpMask(radius, percent, threshold=0))
    if draw.on("noise"):
        grain = _grain_window(rng, SIZE)
        grain = (grain[..., :1] + 0.4 * grain[..., 1:]) * np.float32(rng.uniform(0.3, 2.0))
        picture = Image.fromarray(np.clip(np.asarray(picture) + grain + 0.5, 0, 255).astype(np.uint8))
    if draw.chance("jpeg", 0.5):
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=int(rng.integers(60, 96)))
        picture = Image.open(io.BytesIO(buffer.getvalue()))
    return np.asarray(picture.convert("RGB"), dtype=np.uint8)


def render_signs_image(n, rng, plain=HELD_PLAIN):
    """Draw one 64x64 RGB image (uint8, shape (64, 64, 3)) of a hand showing `n` fingers.

    `n` is 0 to 5 and `rng` a `numpy.random.Generator`: the same generator state gives the
    same picture. Every nuisance is random and independent of `n`; the names in `plain`
    (from `NUISANCES`; by default `HELD_PLAIN`) are held at one plain value instead.
    """
    if n not in CLASSES:
        raise ValueError(f"n must be one of {CLASSES}, got {n!r}")
    unknown = set(plain) - set(NUISANCES)
    if unknown:
        raise ValueError(f"unknown nuisances {sorted(unknown)}; they are {NUISANCES}")
    draw = _Draw(rng, plain)
    sleeve = (rng.uniform(2.0, 14.0), rng.uniform(0.5, 2.0)) if draw.chance("sleeve", 0.2) else None
    hand = hand_pose.pose_hand(n, rng if draw.on("pose") else np.random.default_rng(n),
                               vary=draw.on("pose"), signing=draw.on("signing"), sleeve=sleeve)
    view = _View(hand, draw)
    canvas = Canvas(_CANVAS)
    _draw_hand(view, draw, canvas)
    light = _light(draw)
    wall, brightness = _wall(draw, light, canvas)
    wall_light = light["fill"] + max(light["direction"][2], 0.0)
    wall = wall * wall_light * _cast_shadow(canvas.coverage, draw, light)[..., None]
    covered = canvas.coverage > 0
    cover = canvas.coverage[covered][:, None]
    radiance = wall.astype(np.float32)
    radiance[covered] = radiance[covered] * (1 - cover) + _hand_radiance(canvas, draw, light) * cover
    # The exposure puts a light wall (what most of the frame is) at its brightness; with
    # other backgrounds it puts the hand there instead (a negative brightness says so).
    metered = wall[::4, ::4].reshape(-1, 3) if brightness > 0 or not covered.any() else radiance[covered]
    reference = float(np.median(metered @ _LUMA))
    image = _photograph(radiance * (abs(brightness) ** 2.2 / max(reference, 1e-6)), draw)
    return image[:, ::-1] if view.mirror else image


def plot_signs_grid(X, Y, n_per_class=6, classes=CLASSES):
    """A labelled grid of SIGNS images: one row per class, `n_per_class` pictures each.

    `X` is (m, 64, 64, 3) and `Y` holds the m labels in any shape ((1, m) as `load_signs`
    returns them, or (m,)). Returns the matplotlib Figure: notebook 2 shows it inline
    (the PNG is made there, when the cell runs). `resnet-course data --preview FILE.png`
    saves the same figure; course/images/signs_samples.png is that preview for seed 0.
    """
    import matplotlib.pyplot as plt

    from .fonts import use_korean_font

    use_korean_font()
    labels = np.asarray(Y).reshape(-1)
    figure, axes = plt.subplots(len(classes), n_per_class, squeeze=False,
                                figsize=(1.1 * n_per_class + 1.2, 1.15 * len(classes) + 0.6))
    for row, cls in zip(axes, classes):
        picks = np.flatnonzero(labels == cls)[:n_per_class]
        for column, ax in enumerate(row):
            if column < len(picks):
                ax.imshow(X[picks[column]])
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        row_label = label("signs.row_one" if cls == 1 else "signs.row", n=cls)  # 1 finger, 0 or 2 fingers
        row[0].set_ylabel(f"y = {cls}\n" + row_label, rotation=0, ha="right",
                          va="center", fontsize=9)
    figure.suptitle(label("signs.grid_title"))
    figure.tight_layout()
    return figure


register({
    "signs.grid_title": {
        "ko": "SIGNS 데이터 세트: 손가락 0~5개",
        "en": "SIGNS data set: 0 to 5 fingers",
    },
    "signs.row": {
        "ko": "손가락 {n}개",
        "en": "{n} fingers",
    },
    "signs.row_one": {
        "ko": "손가락 {n}개",
        "en": "{n} finger",
    },
})
