//! The BG/NBD model of repeat buying (Fader, Hardie & Lee, "Counting Your Customers the Easy
//! Way", Marketing Science 2005): while alive a customer buys at a Poisson rate (gamma(r, α)
//! across customers); after each purchase they may drop out for good (probability p, beta(a, b)
//! across customers). Fitted by maximum likelihood on each customer's (x, t_x, T): repeat
//! purchases, the time of the last one and the time since the first, in weeks.

use libm::lgamma;

/// One customer's purchase history as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// Repeat purchases (purchase days after the first; same-day purchases count once).
    pub x: f64,
    /// Weeks from the first purchase to the last.
    pub t_x: f64,
    /// Weeks from the first purchase to the end of the observation.
    pub t: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub params: Params,
    /// The log-likelihood of the data at the fitted parameters.
    pub log_likelihood: f64,
}

/// ln(1 + e^d) without overflow.
fn softplus(d: f64) -> f64 {
    if d > 0.0 {
        d + (-d).exp().ln_1p()
    } else {
        d.exp().ln_1p()
    }
}

/// Equation (6) of the paper, summed over customers.
pub fn log_likelihood(p: &Params, data: &[History]) -> f64 {
    Prepared::of(data).log_likelihood(p, &mut Vec::new())
}

/// The data arranged so one evaluation of the likelihood costs little: the gamma-function
/// terms depend on x alone, so they are worked out once per distinct x (a few dozen for
/// 100,000 customers); ln(α + t) once per distinct time (a few thousand: times are whole days);
/// and customers with the same (x, t_x, T) once, weighted by how many share it.
struct Prepared {
    /// Each distinct x with how many customers have it.
    by_x: Vec<(f64, usize)>,
    /// Every distinct t_x and T.
    times: Vec<f64>,
    /// (index into by_x, index of T, index of t_x, customers).
    rows: Vec<(u32, u32, u32, f64)>,
}

impl Prepared {
    fn of(data: &[History]) -> Prepared {
        let mut xs: Vec<f64> = data.iter().map(|h| h.x).collect();
        let mut times: Vec<f64> = data.iter().flat_map(|h| [h.t, h.t_x]).collect();
        for list in [&mut xs, &mut times] {
            list.sort_by(f64::total_cmp);
            list.dedup();
        }
        let find = |list: &[f64], v: f64| list.binary_search_by(|p| p.total_cmp(&v)).unwrap_or(0) as u32;
        let mut keys: Vec<(u32, u32, u32)> =
            data.iter().map(|h| (find(&xs, h.x), find(&times, h.t), find(&times, h.t_x))).collect();
        keys.sort_unstable();
        let mut rows: Vec<(u32, u32, u32, f64)> = Vec::new();
        let mut by_x: Vec<(f64, usize)> = xs.iter().map(|x| (*x, 0)).collect();
        for key in keys {
            by_x[key.0 as usize].1 += 1;
            match rows.last_mut() {
                Some(last) if (last.0, last.1, last.2) == key => last.3 += 1.0,
                _ => rows.push((key.0, key.1, key.2, 1.0)),
            }
        }
        Prepared { by_x, times, rows }
    }

    /// `logs` is scratch space for ln(α + t), kept between calls to save allocations.
    fn log_likelihood(&self, p: &Params, logs: &mut Vec<f64>) -> f64 {
        let Params { r, alpha, a, b } = *p;
        logs.clear();
        logs.extend(self.times.iter().map(|t| (alpha + t).ln()));
        // Per distinct x: n × the gamma terms, and ln(a / (b + x − 1)) for the dropout term.
        let mut gamma_terms = 0.0;
        let per_x: Vec<f64> = self
            .by_x
            .iter()
            .map(|&(x, n)| {
                let a1 = lgamma(r + x) - lgamma(r) + r * alpha.ln();
                let a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
                gamma_terms += n as f64 * (a1 + a2);
                a.ln() - (b + x - 1.0).ln()
            })
            .collect();
        let time_terms: f64 = self
            .rows
            .iter()
            .map(|&(xi, t, t_x, n)| {
                let x = self.by_x[xi as usize].0;
                let (log_t, log_tx) = (logs[t as usize], logs[t_x as usize]);
                // ln(e^A3 + e^A4) of the paper, as A3 + ln(1 + e^(A4 − A3)).
                let a3 = -(r + x) * log_t;
                let term = if x > 0.0 { a3 + softplus(per_x[xi as usize] + (r + x) * (log_t - log_tx)) } else { a3 };
                n * term
            })
            .sum();
        gamma_terms + time_terms
    }
}

/// Minimises `f` from `start` with the Nelder–Mead simplex method.
fn nelder_mead(f: &dyn Fn(&[f64; 4]) -> f64, start: [f64; 4], step: f64, iterations: usize) -> [f64; 4] {
    let mut simplex: Vec<([f64; 4], f64)> = (0..=4)
        .map(|i| {
            let mut p = start;
            if i > 0 {
                p[i - 1] += step;
            }
            (p, f(&p))
        })
        .collect();
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[4].1);
        // Done when the log-likelihoods differ by less than 1e-4 (far below anything that
        // tells two fits apart) and the points by less than 1e-4 in each log-parameter.
        let spread = simplex[1..]
            .iter()
            .flat_map(|(p, _)| p.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if (worst - best).abs() < 1e-4 && spread < 1e-4 {
            break;
        }
        let mut centroid = [0.0; 4];
        for (p, _) in &simplex[..4] {
            for k in 0..4 {
                centroid[k] += p[k] / 4.0;
            }
        }
        let towards = |coef: f64| {
            let mut p = [0.0; 4];
            for k in 0..4 {
                p[k] = centroid[k] + coef * (simplex[4].0[k] - centroid[k]);
            }
            p
        };
        let reflected = towards(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = towards(-2.0);
            let fe = f(&expanded);
            simplex[4] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[3].1 {
            simplex[4] = (reflected, fr);
        } else {
            let contracted = if fr < worst { towards(-0.5) } else { towards(0.5) };
            let fc = f(&contracted);
            if fc < worst.min(fr) {
                simplex[4] = (contracted, fc);
            } else {
                // Shrink everything towards the best point.
                let best_point = simplex[0].0;
                for (p, v) in simplex.iter_mut().skip(1) {
                    for k in 0..4 {
                        p[k] = best_point[k] + 0.5 * (p[k] - best_point[k]);
                    }
                    *v = f(p);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0].0
}

/// Solves the 4×4 system `m · x = v` by Gaussian elimination with partial pivoting.
fn solve(mut m: [[f64; 4]; 4], mut v: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let pivot = (col..4).max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))?;
        if m[pivot][col].abs() < 1e-300 {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        for row in col + 1..4 {
            let factor = m[row][col] / m[col][col];
            let pivot_row = m[col];
            for (cell, above) in m[row].iter_mut().zip(pivot_row).skip(col) {
                *cell -= factor * above;
            }
            v[row] -= factor * v[col];
        }
    }
    let mut x = [0.0; 4];
    for row in (0..4).rev() {
        let rest: f64 = (row + 1..4).map(|k| m[row][k] * x[k]).sum();
        x[row] = (v[row] - rest) / m[row][row];
    }
    x.iter().all(|x| x.is_finite()).then_some(x)
}

/// Newton's method with a finite-difference gradient and Hessian (33 evaluations a step),
/// for polishing a point already near the minimum. Some(point) once a step is tiny; None
/// if it does not settle (a flat or curved-the-wrong-way neighbourhood).
#[allow(clippy::needless_range_loop)] // (i, j) indexes a symmetric matrix: clearer as indexes
fn newton(f: &dyn Fn(&[f64; 4]) -> f64, mut v: [f64; 4], steps: usize) -> Option<[f64; 4]> {
    let h = 1e-3;
    let at = |v: &[f64; 4], moves: &[(usize, f64)]| {
        let mut p = *v;
        for (i, d) in moves {
            p[*i] += d;
        }
        f(&p)
    };
    for _ in 0..steps {
        let f0 = f(&v);
        let (mut gradient, mut hessian) = ([0.0; 4], [[0.0; 4]; 4]);
        for i in 0..4 {
            let (up, down) = (at(&v, &[(i, h)]), at(&v, &[(i, -h)]));
            gradient[i] = (up - down) / (2.0 * h);
            hessian[i][i] = (up - 2.0 * f0 + down) / (h * h);
            for j in 0..i {
                let corners = at(&v, &[(i, h), (j, h)]) - at(&v, &[(i, h), (j, -h)]) - at(&v, &[(i, -h), (j, h)])
                    + at(&v, &[(i, -h), (j, -h)]);
                hessian[i][j] = corners / (4.0 * h * h);
                hessian[j][i] = hessian[i][j];
            }
        }
        let step = solve(hessian, gradient)?;
        // Downhill only: halve the step until it improves (a saddle or a flat ridge fails).
        let mut scale = 1.0;
        loop {
            let candidate: [f64; 4] = std::array::from_fn(|k| v[k] - scale * step[k]);
            if f(&candidate) <= f0 {
                v = candidate;
                break;
            }
            scale /= 2.0;
            if scale < 1.0 / 32.0 {
                return None;
            }
        }
        // Quadratic convergence: after a step this small the point is within ~1e-8.
        if step.iter().all(|s| (scale * s).abs() < 1e-4) {
            return Some(v);
        }
    }
    None
}

/// Fits r, α, a, b by maximum likelihood. None when there is nothing to fit (no customers, or
/// nobody ever bought again: the model cannot tell anything apart then).
pub fn fit(data: &[History]) -> Option<Fit> {
    if data.is_empty() || data.iter().all(|h| h.x == 0.0) {
        return None;
    }
    // Searched over the logarithms, so every parameter stays positive.
    let params = |v: &[f64; 4]| Params { r: v[0].exp(), alpha: v[1].exp(), a: v[2].exp(), b: v[3].exp() };
    // `polish`: finish with Newton's method instead of restarting the simplex.
    let search = |data: &[History], start: [f64; 4], step: f64, restarts: usize, polish: bool| {
        let prepared = Prepared::of(data);
        let logs = std::cell::RefCell::new(Vec::new());
        let objective = |v: &[f64; 4]| {
            let ll = prepared.log_likelihood(&params(v), &mut logs.borrow_mut());
            if ll.is_finite() {
                -ll
            } else {
                f64::MAX
            }
        };
        if polish {
            if let Some(v) = newton(&objective, start, 6) {
                return v;
            }
        }
        // Restarted from where the last search stopped: Nelder–Mead can stall on a ridge.
        (0..=restarts).fold(start, |v, _| nelder_mead(&objective, v, step, 4000))
    };
    // With many customers, a search over every 8th finds the neighbourhood at an eighth of
    // the cost, and Newton's method finishes over everyone in a few steps (the simplex, with
    // small steps, where Newton does not settle).
    let v = if data.len() > 40_000 && data.iter().step_by(8).any(|h| h.x > 0.0) {
        let sample: Vec<History> = data.iter().step_by(8).copied().collect();
        search(data, search(&sample, [0.0; 4], 0.5, 1, false), 0.01, 0, true)
    } else {
        search(data, [0.0; 4], 0.5, 1, false)
    };
    let params = params(&v);
    Some(Fit { params, log_likelihood: log_likelihood(&params, data) })
}

/// The probability that a customer with this history is still alive at the end of it.
pub fn p_alive(p: &Params, h: &History) -> f64 {
    if h.x == 0.0 {
        return 1.0;
    }
    let Params { r, alpha, a, b } = *p;
    let ratio = ((alpha + h.t) / (alpha + h.t_x)).ln() * (r + h.x);
    1.0 / (1.0 + (a / (b + h.x - 1.0)) * ratio.exp())
}

/// Gauss's hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its series.
fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..100_000 {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

/// Expected purchases in the next `weeks`, given the customer's history (equation (10)).
pub fn expected_purchases(p: &Params, h: &History, weeks: f64) -> f64 {
    let Params { r, alpha, a, b } = *p;
    let History { x, t_x, t } = *h;
    if (a - 1.0).abs() < 1e-9 {
        // The formula divides by a − 1; at exactly 1 it is taken a hair beside it.
        return expected_purchases(&Params { a: 1.0 + 1e-6, ..*p }, h, weeks);
    }
    let z = weeks / (alpha + t + weeks);
    let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
    let head = (a + b + x - 1.0) / (a - 1.0) * (1.0 - ((alpha + t) / (alpha + t + weeks)).powf(r + x) * f);
    let alive = if x > 0.0 { 1.0 + a / (b + x - 1.0) * ((alpha + t) / (alpha + t_x)).powf(r + x) } else { 1.0 };
    head / alive
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdnow() -> Vec<(u32, History)> {
        let text = include_str!("../../../../tests/data/cdnow_customers_summary.csv");
        text.lines()
            .skip(1)
            .map(|line| {
                let v: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
                (v[0] as u32, History { x: v[1], t_x: v[2], t: v[3] })
            })
            .collect()
    }

    fn significant(x: f64, digits: i32) -> f64 {
        let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
        (x * scale).round() / scale
    }

    #[test]
    fn reproduces_the_published_cdnow_parameters() {
        let data: Vec<History> = cdnow().into_iter().map(|(_, h)| h).collect();
        assert_eq!(data.len(), 2357);
        let fit = fit(&data).unwrap();
        let p = fit.params;
        // Fader, Hardie & Lee (2005), p. 280: r = 0.243, α = 4.414, a = 0.793, b = 2.426.
        assert_eq!(significant(p.r, 3), 0.243, "{p:?}");
        assert_eq!(significant(p.alpha, 3), 4.41, "{p:?}");
        assert_eq!(significant(p.a, 3), 0.793, "{p:?}");
        assert_eq!(significant(p.b, 3), 2.43, "{p:?}");
        // The paper's log-likelihood at the optimum: −9582.4.
        assert!((fit.log_likelihood - -9582.4).abs() < 0.1, "{}", fit.log_likelihood);
    }

    #[test]
    fn the_large_workbook_path_finds_the_same_maximum() {
        // Twenty copies of each customer have the same maximum-likelihood parameters (the
        // log-likelihood is twenty times as large), but 47,140 customers take the sampled search
        // and Newton's finish instead of the plain simplex.
        let one: Vec<History> = cdnow().into_iter().map(|(_, h)| h).collect();
        let twenty: Vec<History> = (0..20).flat_map(|_| one.iter().copied()).collect();
        let (small, large) = (fit(&one).unwrap(), fit(&twenty).unwrap());
        for (a, b) in [
            (small.params.r, large.params.r),
            (small.params.alpha, large.params.alpha),
            (small.params.a, large.params.a),
            (small.params.b, large.params.b),
        ] {
            assert!((a - b).abs() / a < 5e-4, "{a} vs {b}");
        }
        assert!((large.log_likelihood - 20.0 * small.log_likelihood).abs() < 0.01 * 20.0, "{large:?}");
        assert!(large.log_likelihood >= 20.0 * small.log_likelihood - 1e-3, "the finish is at least as good");
    }

    #[test]
    fn alive_and_expected_purchases_match_an_independent_computation() {
        // The published parameters; values computed with mpmath (hyp2f1, exact arithmetic to
        // 30 digits) from equations (10) and (11) of the paper, outside this code.
        let p = Params { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        for (h, alive, expected) in REFERENCE {
            assert!((p_alive(&p, &h) - alive).abs() < 1e-9, "{h:?}: {}", p_alive(&p, &h));
            let e = expected_purchases(&p, &h, 39.0);
            assert!((e - expected).abs() < 1e-6 * expected.max(1.0), "{h:?}: {e}");
        }
    }

    #[test]
    fn nothing_to_fit_is_said_not_guessed() {
        assert_eq!(fit(&[]), None);
        assert_eq!(fit(&[History { x: 0.0, t_x: 0.0, t: 30.0 }]), None);
        let one = fit(&[History { x: 3.0, t_x: 20.0, t: 30.0 }]).unwrap();
        assert!(one.log_likelihood.is_finite());
        assert_eq!(p_alive(&one.params, &History { x: 0.0, t_x: 0.0, t: 5.0 }), 1.0);
    }

    /// (history, P(alive), expected purchases in the next 39 weeks). The second row is
    /// customer 1 of the CDNOW sample, 1.226 in the authors' own spreadsheet note.
    const REFERENCE: [(History, f64, f64); 8] = [
        (History { x: 0.0, t_x: 0.0, t: 38.86 }, 1.0, 0.19509805201126265),
        (History { x: 2.0, t_x: 30.43, t: 38.86 }, 0.726578570080673, 1.2260281747671444),
        (History { x: 1.0, t_x: 1.71, t: 38.86 }, 0.2121009853773791, 0.20318698707975408),
        (History { x: 18.0, t_x: 35.14, t: 35.86 }, 0.9463156157976148, 12.820505774209558),
        (History { x: 29.0, t_x: 37.71, t: 38.0 }, 0.9691295181593396, 20.05294898649679),
        (History { x: 5.0, t_x: 10.0, t: 30.0 }, 0.07795177059134124, 0.3573538537807276),
        (History { x: 0.0, t_x: 0.0, t: 5.0 }, 1.0, 0.6963023155013863),
        (History { x: 7.0, t_x: 36.0, t: 37.0 }, 0.8990048142431551, 4.8448351844709086),
    ];
}
