"""Drawing a posed hand into pixels: a depth buffer of round cones and a rounded palm.

The hand arrives already projected: every point is (column, row, depth) with column and row
in pixels and depth in centimetres from the camera; radii are in pixels. Each part is
drawn analytically over the few pixels its bounding box covers. A pixel keeps the part
nearest the camera: its depth, surface normal (x right, y up, z towards the camera), how
much it is the palm's side of the skin, its material and its joint-crease darkening; the
hand's coverage keeps a soft edge of about one pixel.
"""

import numpy as np

BACKGROUND, SKIN, CLOTH = 0, 1, 2
_DOME = 0.4  # radians: how far the palm's surface has turned where its rounded edge begins


class Canvas:
    """What the camera sees of the hand, pixel by pixel."""

    def __init__(self, size):
        self.size = size
        self.rows, self.cols = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
        self.depth = np.full((size, size), np.inf, dtype=np.float32)
        self.normal = np.zeros((3, size, size), dtype=np.float32)
        self.normal[2] = 1.0
        self.palmar = np.zeros((size, size), dtype=np.float32)
        self.crease = np.zeros((size, size), dtype=np.float32)
        self.coverage = np.zeros((size, size), dtype=np.float32)
        self.material = np.zeros((size, size), dtype=np.int8)
        self.part = np.full((size, size), -1, dtype=np.int16)

    def window(self, low, high):
        """Row and column slices of the pixels inside a box, or None when it is off the picture."""
        c0, r0 = np.maximum(np.floor(low).astype(int), 0)
        c1, r1 = np.minimum(np.ceil(high).astype(int) + 1, self.size)
        if c0 >= c1 or r0 >= r1:
            return None
        return slice(r0, r1), slice(c0, c1)

    def paint(self, win, alpha, depth, normal, palmar, material, crease, part):
        """Keep the new surface wherever it covers a pixel and lies in front of what is there."""
        front = (alpha > 0) & (depth < self.depth[win])
        np.copyto(self.depth[win], depth, where=front)
        np.copyto(self.normal[(slice(None), *win)], normal, where=front)
        np.copyto(self.palmar[win], palmar, where=front)
        np.copyto(self.crease[win], crease, where=front)
        np.copyto(self.material[win], material, where=front)
        np.copyto(self.part[win], part, where=front)
        np.maximum(self.coverage[win], alpha, out=self.coverage[win])

    def occlusion(self, radius_px, depth_scale_cm):
        """How far each pixel lies behind its neighbourhood (0..1): creases and contact shadows.

        A cheap ambient occlusion: a pixel deeper than the blurred depth around it sits in a
        groove (between fingers, under a folded finger, where the thumb meets the palm).
        """
        covered = self.material > 0
        if not covered.any():
            return np.zeros_like(self.depth)
        near, far = float(self.depth[covered].min()), float(self.depth[covered].max()) + 2.0
        depth = np.where(covered, self.depth, far)
        return np.clip((depth - blur(depth, radius_px, near, far)) / depth_scale_cm, 0.0, 1.0) * covered


def blur(values, radius, low=0.0, high=1.0):
    """A Gaussian blur of a 2-D array whose values lie in [low, high] (through 8-bit PIL)."""
    from PIL import Image, ImageFilter

    span = (high - low) or 1.0
    picture = Image.fromarray(np.clip((values - low) / span * 255 + 0.5, 0, 255).astype(np.uint8))
    smooth = np.asarray(picture.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32)
    return smooth / 255 * span + low


def _segment(cols, rows, a, b):
    """Parameter t along a-b of each pixel's nearest axis point, and the offset to it."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = ((cols - a[0]) * dx + (rows - a[1]) * dy) / max(dx * dx + dy * dy, 1e-6)
    t = np.clip(t, 0.0, 1.0)
    return t, cols - (a[0] + t * dx), rows - (a[1] + t * dy)


def draw_tube(canvas, a, b, ra, rb, px_per_cm, flat, palmar, material, crease, part):
    """A round cone from a to b (column, row, depth), radii in pixels.

    The surface at a pixel is the cone's cross-section around its nearest axis point, its
    depth the nearer of that and the two end caps: a bone pointing at the camera (a folded
    finger's first bone) shows as the ball of its near end. `flat` < 1 flattens the
    cross-section front to back; `crease` darkens a band where the tube starts (a joint's
    skin fold, seen only from the palm side).
    """
    a, b = [float(v) for v in a], [float(v) for v in b]
    ra, rb, flat, px_per_cm = float(ra), float(rb), float(flat), float(px_per_cm)
    radius = max(ra, rb)
    win = canvas.window(np.minimum(a[:2], b[:2]) - radius - 1, np.maximum(a[:2], b[:2]) + radius + 1)
    if win is None:
        return
    cols, rows = canvas.cols[win], canvas.rows[win]
    t, ox, oy = _segment(cols, rows, a, b)
    r = ra + t * (rb - ra)
    dist2 = ox * ox + oy * oy
    alpha = np.clip(r - np.sqrt(dist2) + 0.5, 0.0, 1.0)
    if not alpha.any():
        return
    h = np.sqrt(np.maximum(r * r - dist2, 0.0))
    depth = a[2] + t * (b[2] - a[2]) - (flat / px_per_cm) * h
    # The near end's ball can stand in front of the cone (the far end's never does).
    end, r_end = (a, ra) if a[2] < b[2] else (b, rb)
    cap = r_end ** 2 - (cols - end[0]) ** 2 - (rows - end[1]) ** 2
    np.minimum(depth, end[2] - (flat / px_per_cm) * np.sqrt(np.maximum(cap, 0.0)), out=depth, where=cap > 0)
    # Screen rows grow downwards, the normal's y upwards.
    normal = np.stack([flat * ox, -flat * oy, h + 1e-3])
    normal *= 1.0 / np.sqrt(flat * flat * dist2 + (h + 1e-3) ** 2)
    band = 0.0
    if crease > 0:
        length = np.hypot(b[0] - a[0], b[1] - a[1])
        band = crease * np.exp(-((t * length) / max(0.45 * ra, 0.6)) ** 2)
    canvas.paint(win, alpha, depth, normal, palmar, material, band, part)


def _polygon_distance(cols, rows, corners):
    """Signed distance to a convex polygon (negative inside) and the outward edge normal.

    The distance is the largest of the distances to the edges' lines: exact inside and
    along the edges, a little short of it beyond a corner (the rounded palm's corners are
    blunt, so nobody sees the difference), and several times cheaper than the exact one.
    """
    edges = np.roll(corners, -1, axis=0) - corners
    area = np.sum(corners[:, 0] * np.roll(corners[:, 1], -1) - np.roll(corners[:, 0], -1) * corners[:, 1])
    # For a counter-clockwise outline (in x right, y down) the outward normal is (dy, -dx).
    normals = np.column_stack([edges[:, 1], -edges[:, 0]]) * (1.0 if area >= 0 else -1.0)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-9)
    offsets = np.sum(normals * corners, axis=1)
    sdf = out_x = out_y = None
    for (nx, ny), offset in zip(normals.tolist(), offsets.tolist()):
        distance = cols * nx + rows * ny - offset
        if sdf is None:
            sdf, out_x, out_y = distance, np.full(cols.shape, nx, np.float32), np.full(cols.shape, ny, np.float32)
            continue
        further = distance > sdf
        np.maximum(sdf, distance, out=sdf)
        np.copyto(out_x, nx, where=further)
        np.copyto(out_y, ny, where=further)
    return sdf, out_x, out_y


def draw_slab(canvas, corners, radius_px, radius_cm, plane_normal, part):
    """The palm: a flat convex outline (k, 3 as column, row, depth) with a rounded edge.

    Inside the outline the surface is the palm's plane, a little domed towards the edges;
    outside, within `radius_px`, it rolls over the rounded edge.
    """
    win = canvas.window(corners[:, :2].min(axis=0) - radius_px - 1, corners[:, :2].max(axis=0) + radius_px + 1)
    if win is None:
        return
    cols, rows = canvas.cols[win], canvas.rows[win]
    sdf, out_x, out_y = _polygon_distance(cols, rows, corners[:, :2])
    alpha = np.clip(radius_px - sdf + 0.5, 0.0, 1.0)
    if not alpha.any():
        return
    # The plane's depth at every pixel, from the corners (exact for the affine view).
    design = np.column_stack([corners[:, 0], corners[:, 1], np.ones(len(corners))])
    plane = np.linalg.lstsq(design, corners[:, 2], rcond=None)[0]
    mid_depth = plane[0] * cols + plane[1] * rows + plane[2]
    facing = max(float(plane_normal[2]), 0.3)
    # The palm's cross-section: flat in the middle, sloping gently within 2.5 edge radii of
    # the outline (to `_DOME` radians), then rolling over the rounded edge to the side.
    u = np.clip(sdf / radius_px, -2.5, 1.0)
    slope = np.where(u < 0, _DOME * (1.0 + u / 2.5), _DOME + (np.pi / 2 - _DOME) * np.arcsin(np.maximum(u, 0)) / (np.pi / 2))
    depth = mid_depth - radius_cm / facing * np.sqrt(1.0 - np.maximum(u, 0) ** 2)
    roll, keep = np.sin(slope), np.cos(slope)
    # Picture rows grow downwards, the normal's y upwards.
    normal = np.stack([out_x * roll + plane_normal[0] * keep, -out_y * roll + plane_normal[1] * keep,
                       plane_normal[2] * keep + 1e-3])
    normal /= np.sqrt((normal * normal).sum(axis=0))
    canvas.paint(win, alpha, depth, normal, 1.0, SKIN, 0.0, part)


def draw_lines(canvas, polylines, width_px, strength, part):
    """Skin creases (polylines of (column, row) points) darkening the pixels of one part."""
    for line in polylines:
        low, high = line[:, :2].min(axis=0) - 2 * width_px, line[:, :2].max(axis=0) + 2 * width_px
        win = canvas.window(low, high)
        if win is None:
            continue
        cols, rows = canvas.cols[win], canvas.rows[win]
        nearest = np.full(cols.shape, np.inf, dtype=np.float32)
        for a, b in zip(line[:-1], line[1:]):
            _, ox, oy = _segment(cols, rows, a, b)
            np.minimum(nearest, ox * ox + oy * oy, out=nearest)
        mark = strength * np.exp(-nearest / width_px ** 2) * (canvas.part[win] == part)
        np.maximum(canvas.crease[win], mark, out=canvas.crease[win])
