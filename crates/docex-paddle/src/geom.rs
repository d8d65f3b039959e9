//! Plane geometry of text boxes: convex hulls and minimum-area rectangles
//! (what OpenCV's `minAreaRect` and `boxPoints` give PaddleOCR's post-processing).

/// A point in pixels (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
}

impl Point {
    /// The point at `x`, `y`.
    pub fn new(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    fn minus(self, o: Point) -> Point {
        Point::new(self.x - o.x, self.y - o.y)
    }

    /// Distance to `o`.
    pub fn distance(self, o: Point) -> f32 {
        let d = self.minus(o);
        (d.x * d.x + d.y * d.y).sqrt()
    }
}

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

/// The convex hull of `points` (Andrew's monotone chain), counter-clockwise in a
/// y-up frame; fewer than three distinct points come back as they are.
pub fn convex_hull(mut points: Vec<Point>) -> Vec<Point> {
    points.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(points.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &Point>> = if pass == 0 {
            Box::new(points.iter())
        } else {
            Box::new(points.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// A rotated rectangle: centre, side lengths along its own axes, and the unit
/// vector of its first axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RotatedRect {
    /// Centre.
    pub center: Point,
    /// Length along `axis`.
    pub width: f32,
    /// Length across `axis`.
    pub height: f32,
    /// Unit vector of the first side.
    pub axis: Point,
}

impl RotatedRect {
    /// The shorter side.
    pub fn short_side(&self) -> f32 {
        self.width.min(self.height)
    }

    /// The rectangle grown by `d` on every side.
    pub fn grown(&self, d: f32) -> RotatedRect {
        RotatedRect {
            width: self.width + 2.0 * d,
            height: self.height + 2.0 * d,
            ..*self
        }
    }

    /// The corners in PaddleOCR's order: top left, top right, bottom right, bottom
    /// left (`get_mini_boxes`: the two leftmost points by x, the upper of them first).
    pub fn corners(&self) -> [Point; 4] {
        let (ax, ay) = (
            self.axis.x * self.width / 2.0,
            self.axis.y * self.width / 2.0,
        );
        let (bx, by) = (
            -self.axis.y * self.height / 2.0,
            self.axis.x * self.height / 2.0,
        );
        let c = self.center;
        let mut pts = [
            Point::new(c.x - ax - bx, c.y - ay - by),
            Point::new(c.x + ax - bx, c.y + ay - by),
            Point::new(c.x + ax + bx, c.y + ay + by),
            Point::new(c.x - ax + bx, c.y - ay + by),
        ];
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        let (tl, bl) = if pts[1].y > pts[0].y {
            (pts[0], pts[1])
        } else {
            (pts[1], pts[0])
        };
        let (tr, br) = if pts[3].y > pts[2].y {
            (pts[2], pts[3])
        } else {
            (pts[3], pts[2])
        };
        [tl, tr, br, bl]
    }
}

/// The rectangle of least area holding `points` (rotating calipers over the hull's
/// edges). `None` without points.
pub fn min_area_rect(points: Vec<Point>) -> Option<RotatedRect> {
    let hull = convex_hull(points);
    match hull.len() {
        0 => return None,
        1 => {
            return Some(RotatedRect {
                center: hull[0],
                width: 0.0,
                height: 0.0,
                axis: Point::new(1.0, 0.0),
            })
        }
        _ => {}
    }
    let mut best: Option<(f32, RotatedRect)> = None;
    for i in 0..hull.len() {
        let a = hull[i];
        let b = hull[(i + 1) % hull.len()];
        let len = a.distance(b);
        if len == 0.0 {
            continue;
        }
        let u = Point::new((b.x - a.x) / len, (b.y - a.y) / len);
        let (mut lo_u, mut hi_u, mut lo_v, mut hi_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &hull {
            let d = p.minus(a);
            let pu = d.x * u.x + d.y * u.y;
            let pv = -d.x * u.y + d.y * u.x;
            lo_u = lo_u.min(pu);
            hi_u = hi_u.max(pu);
            lo_v = lo_v.min(pv);
            hi_v = hi_v.max(pv);
        }
        let area = (hi_u - lo_u) * (hi_v - lo_v);
        if best.as_ref().is_some_and(|(b, _)| *b <= area) {
            continue;
        }
        let (cu, cv) = ((lo_u + hi_u) / 2.0, (lo_v + hi_v) / 2.0);
        let center = Point::new(a.x + cu * u.x - cv * u.y, a.y + cu * u.y + cv * u.x);
        best = Some((
            area,
            RotatedRect {
                center,
                width: hi_u - lo_u,
                height: hi_v - lo_v,
                axis: u,
            },
        ));
    }
    best.map(|(_, r)| r)
}

/// Whether `p` lies inside the convex quadrilateral `q` (either winding), edges included.
pub fn in_quad(q: &[Point; 4], p: Point) -> bool {
    let mut sign = 0.0f32;
    for i in 0..4 {
        let c = cross(q[i], q[(i + 1) % 4], p);
        if c.abs() < 1e-6 {
            continue;
        }
        if sign == 0.0 {
            sign = c.signum();
        } else if c.signum() != sign {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_drops_inner_points() {
        let pts = vec![
            Point::new(0.0, 0.0),
            Point::new(4.0, 0.0),
            Point::new(2.0, 1.0),
            Point::new(4.0, 3.0),
            Point::new(0.0, 3.0),
            Point::new(1.0, 1.0),
        ];
        assert_eq!(convex_hull(pts).len(), 4);
    }

    #[test]
    fn axis_aligned_points_give_their_bounding_box() {
        let pts = (0..=10)
            .flat_map(|x| [Point::new(x as f32, 2.0), Point::new(x as f32, 5.0)])
            .collect();
        let r = min_area_rect(pts).unwrap();
        assert!((r.width * r.height - 30.0).abs() < 1e-3, "{r:?}");
        let [tl, tr, br, bl] = r.corners();
        assert_eq!((tl.x.round(), tl.y.round()), (0.0, 2.0));
        assert_eq!((tr.x.round(), tr.y.round()), (10.0, 2.0));
        assert_eq!((br.x.round(), br.y.round()), (10.0, 5.0));
        assert_eq!((bl.x.round(), bl.y.round()), (0.0, 5.0));
    }

    #[test]
    fn a_tilted_bar_gets_a_tilted_rectangle() {
        // a bar 20 long and 2 thick, tilted by 0.1 rad
        let (s, c) = 0.1f32.sin_cos();
        let mut pts = Vec::new();
        for i in 0..=20 {
            for j in 0..=2 {
                let (u, v) = (i as f32, j as f32);
                pts.push(Point::new(u * c - v * s, u * s + v * c));
            }
        }
        let r = min_area_rect(pts).unwrap();
        assert!((r.width.max(r.height) - 20.0).abs() < 1e-3, "{r:?}");
        assert!((r.short_side() - 2.0).abs() < 1e-3, "{r:?}");
        let q = r.corners();
        assert!(in_quad(&q, r.center));
        assert!(!in_quad(&q, Point::new(-5.0, 10.0)));
    }
}
