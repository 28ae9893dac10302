//! A force-directed layout: Fruchterman and Reingold's spring embedder
//! ("Graph Drawing by Force-directed Placement", 1991) with the all-pairs
//! repulsion approximated by a Barnes-Hut quadtree, so a step costs
//! O(n log n) instead of O(n²).
//!
//! Deterministic: the start positions come from a seeded generator over the
//! nodes' order, and nothing else is random, so the same graph, order and
//! seed always give the same picture (the committed SVG in `docs/` does not
//! change when it is regenerated).
//!
//! Each step computes the nodes' pushes in parallel (rayon) from one
//! quadtree; the threads change the speed, never the positions.
//!
//! Why our own and not a crate (December 2026): `forceatlas2` is
//! AGPL-3.0-only, which an Apache-2.0 library cannot ship; `fdg-sim` and
//! `force_graph` (MIT) have no seedable start and no Barnes-Hut step, and
//! no release for years.

use rayon::prelude::*;

/// A point of the plane, in picture units (about a pixel).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position (down is positive, as in SVG).
    pub y: f64,
}

/// The knobs of [`layout`].
#[derive(Clone, Copy, Debug)]
pub struct LayoutParams {
    /// Seed of the start positions.
    pub seed: u64,
    /// Ideal distance between two connected nodes.
    pub spacing: f64,
    /// Steps of the simulation (the temperature falls linearly to zero).
    pub iterations: usize,
    /// Barnes-Hut opening angle: a cell of side `s` at distance `d` counts
    /// as one body when `s / d < theta`; 0 computes every pair exactly.
    pub theta: f64,
    /// Pull towards the centre, per unit of distance (keeps components that
    /// share no relationship from drifting apart).
    pub gravity: f64,
}

impl LayoutParams {
    /// The parameters pictures use for `n` nodes: fewer steps for big
    /// graphs, where each costs more and the picture is a cloud anyway.
    pub fn for_nodes(n: usize) -> LayoutParams {
        LayoutParams {
            seed: 0x5eed_1a70,
            spacing: 110.0,
            iterations: if n <= 1000 { 300 } else { 120 },
            theta: 0.8,
            gravity: 0.04,
        }
    }
}

/// Positions for nodes `0..n` joined by `edges` (pairs of node indexes;
/// self-loops and repeated pairs are allowed and pull like one spring each).
/// Edges naming a node `>= n` are ignored.
///
/// ```ignore
/// let p = layout(3, &[(0, 1), (1, 2)], &LayoutParams::for_nodes(3));
/// assert_eq!(p.len(), 3);
/// ```
pub fn layout(n: usize, edges: &[(usize, usize)], params: &LayoutParams) -> Vec<Point> {
    let k = params.spacing;
    let mut rng = SplitMix64(params.seed);
    // Start on a disc whose area gives each node about k² of room.
    let radius = k * (n as f64).sqrt();
    let mut pos: Vec<Point> = (0..n)
        .map(|_| {
            let r = radius * rng.unit().sqrt();
            let a = std::f64::consts::TAU * rng.unit();
            Point {
                x: r * a.cos(),
                y: r * a.sin(),
            }
        })
        .collect();
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a != b && a < n && b < n)
        .collect();
    let start_temp = k + radius / 4.0;
    let mut disp = vec![Point { x: 0.0, y: 0.0 }; n];
    for step in 0..params.iterations {
        let temp = start_temp * (1.0 - step as f64 / params.iterations as f64);
        let tree = QuadTree::build(&pos);
        // Each node's push is read from the same tree: the threads cannot
        // change the result, only its speed.
        disp.par_iter_mut()
            .enumerate()
            .for_each_init(Vec::new, |stack, (i, d)| {
                *d = tree.repulsion(i, pos[i], k * k, params.theta, stack);
                d.x -= params.gravity * pos[i].x;
                d.y -= params.gravity * pos[i].y;
            });
        for &(a, b) in &edges {
            let dx = pos[a].x - pos[b].x;
            let dy = pos[a].y - pos[b].y;
            let dist = (dx * dx + dy * dy).sqrt();
            // Attraction d²/k along the edge: (dx/d) * d²/k = dx * d / k.
            let f = dist / k;
            disp[a].x -= dx * f;
            disp[a].y -= dy * f;
            disp[b].x += dx * f;
            disp[b].y += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            let len = (d.x * d.x + d.y * d.y).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(temp) / len;
                p.x += d.x * step;
                p.y += d.y * step;
            }
        }
    }
    pos
}

/// The repulsion `k² / d` of every other node on node `i`, summed exactly:
/// the reference the quadtree is tested against.
#[cfg(test)]
fn exact_repulsion(pos: &[Point], i: usize, k2: f64) -> Point {
    let mut f = Point { x: 0.0, y: 0.0 };
    for (j, q) in pos.iter().enumerate() {
        if j != i {
            let p = push(i, pos[i], *q, 1.0, k2);
            f.x += p.x;
            f.y += p.y;
        }
    }
    f
}

/// The push of `mass` bodies at `from` on the body `i` at `at`: `k² · mass / d`
/// away from `from`. Bodies on the same spot push each other a fixed
/// distance in a direction set by `i`, so they come apart the same way on
/// every run.
fn push(i: usize, at: Point, from: Point, mass: f64, k2: f64) -> Point {
    let dx = at.x - from.x;
    let dy = at.y - from.y;
    let d2 = dx * dx + dy * dy;
    if d2 < 1e-12 {
        let a = i as f64 * 2.399_963_229_728_653; // the golden angle
        let f = mass * k2.sqrt();
        return Point {
            x: f * a.cos(),
            y: f * a.sin(),
        };
    }
    // (dx / d) · k² m / d = dx · k² m / d²
    let f = k2 * mass / d2;
    Point {
        x: dx * f,
        y: dy * f,
    }
}

/// Deepest level of the quadtree: cells this small hold every body that
/// falls in them as one (they are on the same spot for any picture).
const MAX_DEPTH: u32 = 48;

/// A Barnes-Hut quadtree: each cell knows its bodies' count and centre of
/// mass; a leaf holds one body (or several on one spot at [`MAX_DEPTH`]).
struct QuadTree {
    cells: Vec<Cell>,
}

#[derive(Clone)]
struct Cell {
    /// Centre and half side of the square.
    cx: f64,
    cy: f64,
    half: f64,
    /// Bodies inside, and the sum of their positions.
    mass: f64,
    sum_x: f64,
    sum_y: f64,
    /// The body of a leaf with exactly one (`None` when empty or split).
    body: Option<usize>,
    /// Index of the first of four children (`0`: none; cell 0 is the root).
    children: usize,
}

impl QuadTree {
    fn build(pos: &[Point]) -> QuadTree {
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for (i, p) in pos.iter().enumerate() {
            if i == 0 {
                (min_x, min_y, max_x, max_y) = (p.x, p.y, p.x, p.y);
            }
            min_x = min_x.min(p.x);
            min_y = min_y.min(p.y);
            max_x = max_x.max(p.x);
            max_y = max_y.max(p.y);
        }
        let half = ((max_x - min_x).max(max_y - min_y) / 2.0).max(1.0) * 1.001;
        let root = Cell::new((min_x + max_x) / 2.0, (min_y + max_y) / 2.0, half);
        let mut tree = QuadTree {
            cells: Vec::with_capacity(pos.len() * 2 + 1),
        };
        tree.cells.push(root);
        for (i, p) in pos.iter().enumerate() {
            tree.insert(i, *p, pos);
        }
        tree
    }

    fn insert(&mut self, i: usize, p: Point, pos: &[Point]) {
        let mut c = 0;
        let mut depth = 0;
        loop {
            let cell = &mut self.cells[c];
            let was_empty = cell.mass == 0.0;
            cell.mass += 1.0;
            cell.sum_x += p.x;
            cell.sum_y += p.y;
            if cell.children != 0 {
                c = cell.children + cell.quadrant(p);
                depth += 1;
                continue;
            }
            if was_empty {
                cell.body = Some(i);
                return;
            }
            if depth >= MAX_DEPTH {
                // Several bodies on one spot: the leaf holds them as one.
                cell.body = None;
                return;
            }
            // Split the leaf and push its one body down a level.
            let Some(old) = cell.body.take() else {
                // A crowded leaf at MAX_DEPTH was handled above.
                return;
            };
            let (cx, cy, h) = (cell.cx, cell.cy, cell.half / 2.0);
            let first = self.cells.len();
            self.cells[c].children = first;
            for (qx, qy) in [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)] {
                self.cells.push(Cell::new(cx + qx * h, cy + qy * h, h));
            }
            let q = pos[old];
            let slot = first + self.cells[c].quadrant(q);
            let child = &mut self.cells[slot];
            child.mass = 1.0;
            child.sum_x = q.x;
            child.sum_y = q.y;
            child.body = Some(old);
            c = first + self.cells[c].quadrant(p);
            depth += 1;
        }
    }

    /// The repulsion on body `i` at `p`, opening cells by `theta`; `stack`
    /// is scratch space, kept by the caller to save an allocation a call.
    fn repulsion(&self, i: usize, p: Point, k2: f64, theta: f64, stack: &mut Vec<usize>) -> Point {
        let mut f = Point { x: 0.0, y: 0.0 };
        stack.clear();
        stack.push(0);
        while let Some(c) = stack.pop() {
            let cell = &self.cells[c];
            if cell.mass == 0.0 || cell.body == Some(i) {
                continue;
            }
            let com = Point {
                x: cell.sum_x / cell.mass,
                y: cell.sum_y / cell.mass,
            };
            // Far: outside the cell and small as seen from `p`.
            let far = {
                let dx = p.x - com.x;
                let dy = p.y - com.y;
                let d = (dx * dx + dy * dy).sqrt();
                let outside =
                    (p.x - cell.cx).abs() > cell.half || (p.y - cell.cy).abs() > cell.half;
                outside && 2.0 * cell.half < theta * d
            };
            if cell.children == 0 || far {
                // A leaf, or a cell far enough to count as one body. A
                // crowded leaf that holds `i` itself pushes with the others.
                let (mass, com) = if cell.children == 0 && cell.body.is_none() {
                    crowded_without(cell, p)
                } else {
                    (cell.mass, com)
                };
                let q = push(i, p, com, mass, k2);
                f.x += q.x;
                f.y += q.y;
            } else {
                stack.extend(cell.children..cell.children + 4);
            }
        }
        f
    }
}

/// A crowded leaf's mass and centre as seen from a body at `p`: without
/// that body when it lies in the leaf (every body of such a leaf is on one
/// spot, so `p` is inside exactly when it is that spot's).
fn crowded_without(cell: &Cell, p: Point) -> (f64, Point) {
    let inside = (p.x - cell.cx).abs() <= cell.half && (p.y - cell.cy).abs() <= cell.half;
    let mass = if inside { cell.mass - 1.0 } else { cell.mass };
    let com = Point {
        x: cell.sum_x / cell.mass,
        y: cell.sum_y / cell.mass,
    };
    (mass, com)
}

impl Cell {
    fn new(cx: f64, cy: f64, half: f64) -> Cell {
        Cell {
            cx,
            cy,
            half,
            mass: 0.0,
            sum_x: 0.0,
            sum_y: 0.0,
            body: None,
            children: 0,
        }
    }

    fn quadrant(&self, p: Point) -> usize {
        usize::from(p.x >= self.cx) + 2 * usize::from(p.y >= self.cy)
    }
}

/// Vigna's splitmix64: a small, seedable generator (start positions only).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(n: usize, seed: u64) -> Vec<Point> {
        let mut r = SplitMix64(seed);
        (0..n)
            .map(|_| Point {
                x: r.unit() * 1000.0 - 500.0,
                y: r.unit() * 700.0,
            })
            .collect()
    }

    fn len(p: Point) -> f64 {
        (p.x * p.x + p.y * p.y).sqrt()
    }

    #[test]
    fn quadtree_with_theta_zero_is_exact() {
        let pos = points(200, 7);
        let tree = QuadTree::build(&pos);
        for i in 0..pos.len() {
            let exact = exact_repulsion(&pos, i, 8100.0);
            let bh = tree.repulsion(i, pos[i], 8100.0, 0.0, &mut Vec::new());
            assert!(
                len(Point {
                    x: exact.x - bh.x,
                    y: exact.y - bh.y
                }) <= 1e-9 * len(exact).max(1.0),
                "body {i}: exact {exact:?}, tree {bh:?}"
            );
        }
    }

    #[test]
    fn quadtree_approximation_is_close() {
        let pos = points(2000, 11);
        let tree = QuadTree::build(&pos);
        let mut worst: f64 = 0.0;
        for i in (0..pos.len()).step_by(37) {
            let exact = exact_repulsion(&pos, i, 8100.0);
            let bh = tree.repulsion(i, pos[i], 8100.0, 0.8, &mut Vec::new());
            let err = len(Point {
                x: exact.x - bh.x,
                y: exact.y - bh.y,
            }) / len(exact);
            worst = worst.max(err);
        }
        assert!(worst < 0.1, "worst relative error {worst}");
    }

    #[test]
    fn bodies_on_one_spot_come_apart() {
        // Every node starts on its own spot, but the quadtree must survive
        // a crowd on one spot (MAX_DEPTH) and still push them apart.
        let pos = vec![Point { x: 5.0, y: 5.0 }; 50];
        let tree = QuadTree::build(&pos);
        for (i, p) in pos.iter().enumerate() {
            let f = tree.repulsion(i, *p, 8100.0, 0.8, &mut Vec::new());
            assert!(f.x.is_finite() && f.y.is_finite() && len(f) > 0.0);
        }
    }

    #[test]
    fn deterministic_and_connected_nodes_end_close() {
        // Two triangles joined by nothing, plus a self-loop and a repeat.
        let edges = [
            (0, 1),
            (1, 2),
            (2, 0),
            (3, 4),
            (4, 5),
            (5, 3),
            (0, 0),
            (0, 1),
        ];
        let params = LayoutParams::for_nodes(6);
        let a = layout(6, &edges, &params);
        assert_eq!(a, layout(6, &edges, &params));
        let other = layout(6, &edges, &LayoutParams { seed: 1, ..params });
        assert_ne!(a, other);
        let dist = |p: Point, q: Point| {
            len(Point {
                x: p.x - q.x,
                y: p.y - q.y,
            })
        };
        for p in &a {
            assert!(p.x.is_finite() && p.y.is_finite());
        }
        // Springs hold each triangle near the ideal length, and no two nodes
        // sit on one spot.
        for &(i, j) in &[(0, 1), (1, 2), (3, 4)] {
            let d = dist(a[i], a[j]);
            assert!(d > 30.0 && d < 250.0, "edge {i}-{j}: {d}");
        }
        for i in 0..6 {
            for j in 0..i {
                assert!(dist(a[i], a[j]) > 20.0, "{i} and {j} overlap");
            }
        }
    }

    #[test]
    fn empty_and_single() {
        let params = LayoutParams::for_nodes(0);
        assert!(layout(0, &[], &params).is_empty());
        let one = layout(1, &[(0, 0), (0, 9)], &params);
        assert_eq!(one.len(), 1);
        assert!(one[0].x.is_finite());
    }
}
