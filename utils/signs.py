"""Drawing SIGNS-style hand signs: a 64x64 RGB picture of a hand showing 0 to 5 fingers.

The original SIGNS photos cannot be shipped, so the course draws its own. A hand is a few
simple shapes in a "hand frame" (palm centred at the origin, fingers pointing up, the palm
about one unit wide): a rounded-box palm, the forearm (sometimes in a sleeve), four
fingers and a thumb, each extended or folded. Every shape is a signed distance field on
the pixel grid, shaded as a rounded 3-D surface, so folded fingers and a thumb lying
across the palm stay visible as separate parts. Everything a real photo varies (skin
tone, hand size, position, rotation, which hand, finger spread and length, background
colour and texture, lighting, shadow, blur, noise) is drawn at random and independently
of the label: only the count of extended fingers tells the classes apart.
"""

import numpy as np
from PIL import Image, ImageFilter

from .messages import label, register

SIZE = 64
# Bump whenever the drawing changes: the per-user cache folder is named after it, so a new
# version never trains on images an older renderer left behind.
SIGNS_VERSION = 2
CLASSES = tuple(range(6))

# Fingers from the index to the little finger: x of the base on the palm's top edge,
# and length relative to the middle finger.
_FINGER_X = np.array([-0.31, -0.105, 0.105, 0.30])
_FINGER_LENGTH = np.array([0.88, 1.0, 0.92, 0.72])

# Which fingers are up for each count: thumb first, then index, middle, ring, little.
# Counting starts at the index finger, as in the SIGNS photos; the thumb joins at five.
_POSES = {
    0: (0, 0, 0, 0, 0),
    1: (0, 1, 0, 0, 0),
    2: (0, 1, 1, 0, 0),
    3: (0, 1, 1, 1, 0),
    4: (0, 1, 1, 1, 1),
    5: (1, 1, 1, 1, 1),
}

_LIGHT_SKIN = np.array([236.0, 196.0, 170.0])
_DARK_SKIN = np.array([98.0, 64.0, 44.0])
_LUMA = np.array([0.299, 0.587, 0.114])
MIN_CONTRAST = 0.3  # least difference in brightness (0..1) between skin and background


def _pixel_grid():
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) + 0.5
    return xs, ys


_XS, _YS = _pixel_grid()


def _segment_distance(px, py, ax, ay, bx, by):
    """Distance from each point to the segment a-b, and the offset to its nearest point."""
    dx, dy = bx - ax, by - ay
    t = ((px - ax) * dx + (py - ay) * dy) / max(dx * dx + dy * dy, 1e-12)
    t = np.clip(t, 0.0, 1.0)
    ox, oy = px - (ax + t * dx), py - (ay + t * dy)
    return np.hypot(ox, oy), ox, oy


class _Part:
    """One shape of the hand: signed distance (hand units) and a surface normal."""

    def __init__(self, sdf, nx, ny, tint=1.0):
        self.sdf, self.nx, self.ny, self.tint = sdf, nx, ny, tint


def _capsule(px, py, points, radius, tint=1.0):
    """A finger-like tube along a polyline, rounded at both ends."""
    best = None
    for (ax, ay), (bx, by) in zip(points[:-1], points[1:]):
        dist, ox, oy = _segment_distance(px, py, ax, ay, bx, by)
        if best is None:
            best = [dist, ox, oy]
        else:
            closer = dist < best[0]
            for slot, value in enumerate((dist, ox, oy)):
                best[slot] = np.where(closer, value, best[slot])
    dist, ox, oy = best
    scale = 1.0 / radius
    # The normal of a tube: sideways at its edge, facing the camera on its axis.
    return _Part(dist - radius, np.clip(ox * scale, -1, 1), np.clip(oy * scale, -1, 1), tint)


def _rounded_box(px, py, half_w, half_h, radius, bevel):
    """The palm: a rounded rectangle, flat in the middle and curving away near its edge."""
    qx, qy = np.abs(px) - half_w + radius, np.abs(py) - half_h + radius
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    sdf = outside + np.minimum(np.maximum(qx, qy), 0) - radius
    # Direction of steepest rise of the distance, from its finite differences.
    gy, gx = np.gradient(sdf)
    norm = np.maximum(np.hypot(gx, gy), 1e-9)
    curve = np.clip(1.0 + sdf / bevel, 0.0, 1.0)
    return _Part(sdf, gx / norm * curve, gy / norm * curve)


def _hand_parts(px, py, n, rng):
    """The hand's shapes in drawing order (back to front) for `n` extended fingers."""
    thumb_up, *fingers_up = _POSES[n]
    palm_w = rng.uniform(0.40, 0.47)
    palm_h = rng.uniform(0.48, 0.58)
    finger_r = rng.uniform(0.105, 0.12)
    length = rng.uniform(0.75, 1.1)
    spread = rng.uniform(0.18, 0.32)  # radians between neighbouring extended fingers

    parts = []
    # Forearm: straight down from the wrist, leaving the picture.
    wrist_w = palm_w * rng.uniform(0.72, 0.88)
    parts.append(_capsule(px, py, [(0.0, -palm_h * 0.6), (rng.normal(0, 0.15), -4.0)], wrist_w, 0.96))
    parts.append(_rounded_box(px, py, palm_w, palm_h, rng.uniform(0.14, 0.24), 0.18))

    top = palm_h - 0.06
    width_scale = palm_w / 0.44
    up_slots = [i for i, up in enumerate(fingers_up) if up]
    middle_slot = np.mean(up_slots) if up_slots else 1.5
    for slot, up in enumerate(fingers_up):
        base_x = _FINGER_X[slot] * width_scale
        if up:
            angle = (slot - middle_slot) * spread + rng.normal(0, 0.05)
            reach = _FINGER_LENGTH[slot] * length * rng.uniform(0.93, 1.07)
            tip = (base_x + np.sin(angle) * reach, top + np.cos(angle) * reach)
            parts.append(_capsule(px, py, [(base_x, top - 0.12), tip], finger_r))
        else:
            # A folded finger: its middle bone lies on the palm, knuckle at the top edge.
            fold = rng.uniform(0.22, 0.34)
            parts.append(_capsule(px, py, [(base_x, top + 0.04), (base_x * 0.95, top - fold)],
                                  finger_r * 1.05, 0.93))

    thumb_r = finger_r * 1.3
    root = (palm_w * 0.95, -palm_h * 0.45)
    if thumb_up:
        angle = rng.uniform(0.3, 0.8)  # away from the fingers
        reach = rng.uniform(0.45, 0.62) * (0.7 + 0.3 * length)
        joint = (root[0] + 0.18, root[1] + 0.3)
        tip = (joint[0] + np.sin(angle) * reach, joint[1] + np.cos(angle) * reach * 0.8)
        parts.append(_capsule(px, py, [root, joint, tip], thumb_r, 1.0))
    else:
        # Folded across the palm, below the folded fingers.
        reach = rng.uniform(0.45, 0.75)
        tip = (root[0] - reach, root[1] + rng.uniform(0.25, 0.45))
        parts.append(_capsule(px, py, [root, (root[0] - 0.05, root[1] + 0.25), tip], thumb_r, 0.97))
    return parts


def _skin_colour(rng):
    tone = rng.beta(1.3, 1.3)
    colour = _LIGHT_SKIN * (1 - tone) + _DARK_SKIN * tone
    return colour * rng.uniform(0.92, 1.08, size=3) ** np.array([0.5, 1.0, 1.5])


def _smooth_noise(rng, cells, amplitude):
    """Soft texture: a coarse random grid scaled up with bicubic interpolation."""
    grid = rng.normal(0.0, 1.0, size=(cells, cells)).astype(np.float32)
    image = Image.fromarray(grid, mode="F").resize((SIZE, SIZE), Image.BICUBIC)
    return np.asarray(image, dtype=np.float64) * amplitude


def _background(rng, skin_brightness):
    """A wall, cloth or desk: one colour, a soft texture, sometimes a stripe pattern.

    Its brightness keeps some distance from the skin's, as a photographer would see to.
    """
    hue = rng.uniform(0, 1)
    saturation = rng.uniform(0.0, 0.35)
    value = rng.uniform(0.2, 0.97)
    while abs(value - skin_brightness) < MIN_CONTRAST:
        value = rng.uniform(0.2, 0.97)
    base = np.array(_hsv_to_rgb(hue, saturation, value)) * 255.0
    texture = _smooth_noise(rng, int(rng.integers(3, 9)), rng.uniform(0.02, 0.06))
    texture = texture + _smooth_noise(rng, 16, rng.uniform(0.0, 0.03))
    if rng.random() < 0.15:
        angle, period = rng.uniform(0, np.pi), rng.uniform(5, 18)
        stripes = np.sin((_XS * np.cos(angle) + _YS * np.sin(angle)) * 2 * np.pi / period)
        texture = texture + stripes * rng.uniform(0.02, 0.06)
    return base[None, None, :] * (1.0 + texture[..., None])


def _hsv_to_rgb(h, s, v):
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def render_signs_image(n, rng):
    """Draw one 64x64 RGB image (uint8, shape (64, 64, 3)) of a hand showing `n` fingers.

    `n` is 0 to 5 and `rng` a `numpy.random.Generator`: the same generator state gives the
    same picture. Every nuisance (skin, size, place, rotation, left or right hand,
    spread, finger length, background, light, shadow, blur, noise) is random and
    independent of `n`.
    """
    if n not in CLASSES:
        raise ValueError(f"n must be one of {CLASSES}, got {n!r}")
    scale = rng.uniform(21.0, 25.0)  # pixels per hand unit (about the palm's width)
    angle = rng.normal(0.0, 0.12)
    centre_x = SIZE / 2 + rng.uniform(-4, 4)
    centre_y = rng.uniform(2, 10) + 1.4 * scale  # fingertips a few pixels below the top
    mirror = -1.0 if rng.random() < 0.5 else 1.0

    cos, sin = np.cos(angle), np.sin(angle)
    dx, dy = (_XS - centre_x) / scale, (_YS - centre_y) / scale
    px = (dx * cos + dy * sin) * mirror
    py = dx * sin - dy * cos  # image rows grow downwards; the hand's "up" is -row
    parts = _hand_parts(px, py, n, rng)

    # Light comes from one side, a little from the front; the same light falls on the wall.
    light_angle = rng.uniform(0, 2 * np.pi)
    light = np.array([np.cos(light_angle), np.sin(light_angle), rng.uniform(1.0, 2.2)])
    light /= np.linalg.norm(light)
    skin = _skin_colour(rng)

    image = _background(rng, skin @ _LUMA / 255 * 0.85)
    alphas = [np.clip(0.5 - part.sdf * scale, 0.0, 1.0) for part in parts]
    silhouette = np.maximum.reduce(alphas)
    # A soft shadow on the background, offset away from the light.
    shadow_shift = (-light[:2] / max(np.linalg.norm(light[:2]), 1e-9) * rng.uniform(1.0, 4.0))
    shadow = _shifted_blur(silhouette, shadow_shift, radius=rng.uniform(1.0, 3.0))
    image *= 1.0 - rng.uniform(0.15, 0.45) * shadow[..., None]

    # Every part has the same skin, so stacking them back to front needs only the
    # brightness (`shade`) and the coverage (`cover`); the colour is applied once.
    shade, cover = np.zeros((SIZE, SIZE)), np.zeros((SIZE, SIZE))
    for part, alpha in zip(parts, alphas):
        nz = np.sqrt(np.clip(1.0 - part.nx ** 2 - part.ny ** 2, 0.0, 1.0))
        # The normal was computed in the hand frame; the light is in the picture frame.
        lx = (part.nx * mirror * cos + part.ny * sin)
        ly = (part.nx * mirror * sin - part.ny * cos)
        diffuse = np.clip(lx * light[0] + ly * light[1] + nz * light[2], 0.0, 1.0)
        # A dark rim where one part meets what lies behind it: the crease between fingers.
        rim = np.clip(part.sdf * scale + 1.6, 0.0, 1.0)
        part_shade = (0.35 + 0.7 * diffuse) * (1.0 - 0.2 * rim) * part.tint
        shade = shade * (1 - alpha) + part_shade * alpha
        cover = cover * (1 - alpha) + alpha
    image = image * (1 - cover[..., None]) + skin * shade[..., None]

    sleeve_from = rng.uniform(1.1, 2.0)
    if rng.random() < 0.55:
        sleeve = np.clip((-py - sleeve_from) * scale, 0.0, 1.0) * np.clip(
            0.5 - parts[0].sdf * scale, 0.0, 1.0)
        cloth = np.array(_hsv_to_rgb(rng.uniform(0, 1), rng.uniform(0, 0.7), rng.uniform(0.15, 0.9))) * 255
        image = image * (1 - sleeve[..., None]) + cloth * sleeve[..., None] * 0.95

    # Uneven light over the whole picture, then the camera: blur and sensor noise.
    gradient = (_XS - SIZE / 2) * light[0] + (_YS - SIZE / 2) * light[1]
    image *= (1.0 + gradient / SIZE * rng.uniform(0.0, 0.6))[..., None] * rng.uniform(0.8, 1.15)
    image = np.clip(image, 0, 255).astype(np.uint8)
    blur = rng.uniform(0.0, 0.5)
    if blur > 0.25:
        image = np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(blur)))
    noise = rng.normal(0.0, rng.uniform(1.0, 4.0), size=image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def _shifted_blur(mask, shift, radius):
    picture = Image.fromarray((mask * 255).astype(np.uint8))
    picture = picture.transform(picture.size, Image.AFFINE,
                                (1, 0, -shift[0], 0, 1, -shift[1]), resample=Image.BILINEAR)
    picture = picture.filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(picture, dtype=np.float64) / 255.0


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
