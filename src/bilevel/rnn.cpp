#include "descent/bilevel/rnn.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"
#include "descent/core/rng.hpp"
#include "descent/data/datasets.hpp"

namespace descent::bilevel {

Eigen::Index ElmanShape::size() const {
  return Eigen::Index(hidden) * input + Eigen::Index(hidden) * hidden + hidden +
         Eigen::Index(classes) * hidden + classes;
}

ElmanClassifier::ElmanClassifier(ElmanShape shape) : shape_(shape) {
  if (shape.input < 1 || shape.hidden < 1 || shape.steps < 1 || shape.classes < 2)
    throw Error("ElmanClassifier: every size must be >= 1 (classes >= 2)");
}

Vec ElmanClassifier::init(Rng& rng) const {
  const double s = 1.0 / std::sqrt(double(shape_.hidden));
  Vec theta = uniform_vector(rng, shape_.size(), -s, s);
  const Eigen::Index h = shape_.hidden, i = shape_.input, c = shape_.classes;
  theta.segment(h * i + h * h, h).setZero();
  theta.tail(c).setZero();
  return theta;
}

namespace {

// Views of the parameter vector.
struct Params {
  Eigen::Map<const Mat> w_in, w_h;
  Eigen::Map<const Vec> b;
  Eigen::Map<const Mat> w_o;
  Eigen::Map<const Vec> b_o;
  Params(const Vec& t, const ElmanShape& s)
      : w_in(t.data(), s.hidden, s.input),
        w_h(t.data() + s.hidden * s.input, s.hidden, s.hidden),
        b(t.data() + s.hidden * s.input + s.hidden * s.hidden, s.hidden),
        w_o(t.data() + s.hidden * s.input + s.hidden * s.hidden + s.hidden, s.classes, s.hidden),
        b_o(t.data() + s.hidden * s.input + s.hidden * s.hidden + s.hidden + s.classes * s.hidden,
            s.classes) {}
};

struct Forward {
  std::vector<Mat> h;      // hidden states per step (hidden × n)
  Mat pooled;              // hidden × n
  Eigen::MatrixXi argmax;  // step of the max per (unit, sample)
  Mat logits;              // classes × n
};

Forward forward(const Params& p, const ElmanShape& s, const Mat& x) {
  const Eigen::Index n = x.rows();
  Forward f;
  f.h.resize(s.steps);
  Mat prev = Mat::Zero(s.hidden, n);
  for (int t = 0; t < s.steps; ++t) {
    Mat a = p.w_in * x.middleCols(Eigen::Index(t) * s.input, s.input).transpose() + p.w_h * prev;
    a.colwise() += p.b;
    f.h[t] = a.array().tanh().matrix();
    prev = f.h[t];
  }
  f.pooled = f.h[0];
  f.argmax = Eigen::MatrixXi::Zero(s.hidden, n);
  for (int t = 1; t < s.steps; ++t)
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index k = 0; k < s.hidden; ++k)
        if (f.h[t](k, j) > f.pooled(k, j)) {
          f.pooled(k, j) = f.h[t](k, j);
          f.argmax(k, j) = t;
        }
  f.logits = p.w_o * f.pooled;
  f.logits.colwise() += p.b_o;
  return f;
}

}  // namespace

double ElmanClassifier::loss(const Vec& theta, const Mat& x, const std::vector<int>& labels,
                             const Vec* weights, Vec* grad, Vec* per_sample) const {
  const ElmanShape& s = shape_;
  if (theta.size() != s.size() || x.cols() != Eigen::Index(s.steps) * s.input ||
      Eigen::Index(labels.size()) != x.rows() || (weights && weights->size() != x.rows()))
    throw Error("ElmanClassifier::loss: sizes do not match the model");
  const Eigen::Index n = x.rows();
  const Params p(theta, s);
  const Forward f = forward(p, s, x);
  // Softmax cross-entropy per column, stabilised by the column max.
  Mat prob = f.logits;
  Vec ce(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double mx = prob.col(j).maxCoeff();
    prob.col(j) = (prob.col(j).array() - mx).exp().matrix();
    const double z = prob.col(j).sum();
    prob.col(j) /= z;
    ce(j) = -(f.logits(labels[j], j) - mx - std::log(z));
  }
  if (per_sample) *per_sample = ce;
  const Vec w = weights ? *weights : Vec::Ones(n);
  const double value = w.dot(ce) / double(n);
  if (!grad) return value;

  grad->setZero(theta.size());
  const Eigen::Index o_win = 0, o_wh = s.hidden * s.input, o_b = o_wh + s.hidden * s.hidden,
                     o_wo = o_b + s.hidden, o_bo = o_wo + s.classes * s.hidden;
  Mat dl = prob;  // classes × n
  for (Eigen::Index j = 0; j < n; ++j) {
    dl(labels[j], j) -= 1.0;
    dl.col(j) *= w(j) / double(n);
  }
  Eigen::Map<Mat>(grad->data() + o_wo, s.classes, s.hidden) = dl * f.pooled.transpose();
  grad->segment(o_bo, s.classes) = dl.rowwise().sum();
  const Mat dp = p.w_o.transpose() * dl;  // hidden × n
  Eigen::Map<Mat> g_win(grad->data() + o_win, s.hidden, s.input);
  Eigen::Map<Mat> g_wh(grad->data() + o_wh, s.hidden, s.hidden);
  Mat dh = Mat::Zero(s.hidden, n);
  for (int t = s.steps - 1; t >= 0; --t) {
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index k = 0; k < s.hidden; ++k)
        if (f.argmax(k, j) == t) dh(k, j) += dp(k, j);
    const Mat da = (dh.array() * (1.0 - f.h[t].array().square())).matrix();
    g_win += da * x.middleCols(Eigen::Index(t) * s.input, s.input);
    if (t > 0) g_wh += da * f.h[t - 1].transpose();
    grad->segment(o_b, s.hidden) += da.rowwise().sum();
    dh = p.w_h.transpose() * da;
  }
  return value;
}

std::vector<int> ElmanClassifier::predict(const Vec& theta, const Mat& x) const {
  const Forward f = forward(Params(theta, shape_), shape_, x);
  std::vector<int> out(x.rows());
  for (Eigen::Index j = 0; j < x.rows(); ++j) {
    Eigen::Index k;
    f.logits.col(j).maxCoeff(&k);
    out[j] = int(k);
  }
  return out;
}

double ElmanClassifier::accuracy(const Vec& theta, const Mat& x,
                                 const std::vector<int>& labels) const {
  const auto pred = predict(theta, x);
  std::size_t right = 0;
  for (std::size_t j = 0; j < pred.size(); ++j) right += pred[j] == labels[j];
  return pred.empty() ? 0.0 : double(right) / double(pred.size());
}

HypercleanData make_digits_hyperclean(double flip_fraction, std::uint64_t seed,
                                      Eigen::Index n_train, Eigen::Index n_val) {
  const data::Dataset d = data::load("digits");
  if (d.dimension() != 64) throw Error("make_digits_hyperclean: expected 8x8 digits");
  if (n_train + n_val >= d.size())
    throw Error("make_digits_hyperclean: n_train + n_val must leave test samples");
  Rng rng = make_rng(seed, {0xD161});
  const auto perm = permutation(rng, d.size());
  HypercleanData h;
  h.classes = d.classes;
  const auto take = [&](Eigen::Index from, Eigen::Index to, Mat& x, std::vector<int>& y) {
    x.resize(to - from, 64);
    y.resize(std::size_t(to - from));
    for (Eigen::Index k = from; k < to; ++k) {
      x.row(k - from) = d.features.row(perm[std::size_t(k)]);
      y[std::size_t(k - from)] = int(d.targets(perm[std::size_t(k)]));
    }
  };
  take(0, n_train, h.train_x, h.train_y);
  take(n_train, n_train + n_val, h.val_x, h.val_y);
  take(n_train + n_val, d.size(), h.test_x, h.test_y);
  h.flipped.assign(std::size_t(n_train), false);
  const auto order = permutation(rng, n_train);
  const auto flips = Eigen::Index(std::llround(flip_fraction * double(n_train)));
  std::uniform_int_distribution<int> other(1, h.classes - 1);
  for (Eigen::Index k = 0; k < flips; ++k) {
    const auto j = std::size_t(order[std::size_t(k)]);
    h.train_y[j] = (h.train_y[j] + other(rng)) % h.classes;
    h.flipped[j] = true;
  }
  return h;
}

HypercleanRnn::HypercleanRnn(HypercleanData data, ElmanShape shape, std::size_t batch,
                             std::size_t val_batch, double reg)
    : data_(std::move(data)),
      shape_(shape),
      model_(shape),
      batch_(batch),
      val_batch_(val_batch),
      reg_(reg) {
  if (batch_ == 0 || val_batch_ == 0) throw Error("HypercleanRnn: batch sizes must be >= 1");
  use_full_batches();
}

void HypercleanRnn::use_full_batches() {
  tb_.resize(std::size_t(data_.train_x.rows()));
  std::iota(tb_.begin(), tb_.end(), Eigen::Index(0));
  vb_.resize(std::size_t(data_.val_x.rows()));
  std::iota(vb_.begin(), vb_.end(), Eigen::Index(0));
  gather();
}

void HypercleanRnn::sample(Rng& rng) {
  const auto draw = [&](std::size_t k, Eigen::Index n, std::vector<Eigen::Index>& out) {
    out.resize(std::min<std::size_t>(k, std::size_t(n)));
    std::uniform_int_distribution<Eigen::Index> u(0, n - 1);
    for (auto& v : out) v = u(rng);  // with replacement: cheap and unbiased
  };
  draw(batch_, data_.train_x.rows(), tb_);
  draw(val_batch_, data_.val_x.rows(), vb_);
  gather();
}

void HypercleanRnn::gather() {
  tx_.resize(Eigen::Index(tb_.size()), data_.train_x.cols());
  ty_.resize(tb_.size());
  for (std::size_t k = 0; k < tb_.size(); ++k) {
    tx_.row(Eigen::Index(k)) = data_.train_x.row(tb_[k]);
    ty_[k] = data_.train_y[std::size_t(tb_[k])];
  }
  vx_.resize(Eigen::Index(vb_.size()), data_.val_x.cols());
  vy_.resize(vb_.size());
  for (std::size_t k = 0; k < vb_.size(); ++k) {
    vx_.row(Eigen::Index(k)) = data_.val_x.row(vb_[k]);
    vy_[k] = data_.val_y[std::size_t(vb_[k])];
  }
}

double HypercleanRnn::upper(const Vec&, const Vec& y) const {
  return model_.loss(y, vx_, vy_);
}

void HypercleanRnn::upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const {
  gx = Vec::Zero(x.size());
  model_.loss(y, vx_, vy_, nullptr, &gy);
}

double HypercleanRnn::lower_value(const Vec& x, const Vec& y) const {
  Vec w(Eigen::Index(tb_.size()));
  for (std::size_t k = 0; k < tb_.size(); ++k) w(Eigen::Index(k)) = sigmoid(x(tb_[k]));
  return model_.loss(y, tx_, ty_, &w) + 0.5 * reg_ * y.squaredNorm();
}

void HypercleanRnn::lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const {
  Vec w(Eigen::Index(tb_.size()));
  for (std::size_t k = 0; k < tb_.size(); ++k) w(Eigen::Index(k)) = sigmoid(x(tb_[k]));
  model_.loss(y, tx_, ty_, &w, &gy);
  gy += reg_ * y;
}

void HypercleanRnn::lower_hvp_yy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const {
  const double nv = v.norm();
  if (nv == 0) {
    out = Vec::Zero(y.size());
    return;
  }
  // Central difference of exact gradients; the step balances truncation against rounding.
  const double h = 1e-5 * (1.0 + y.norm()) / nv;
  Vec gp, gm;
  lower_grad_y(x, y + h * v, gp);
  lower_grad_y(x, y - h * v, gm);
  out = (gp - gm) / (2 * h);
}

void HypercleanRnn::lower_jvp_xy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const {
  out = Vec::Zero(x.size());
  const double nv = v.norm();
  if (nv == 0) return;
  // ∂/∂λ_i of ⟨∇_y g, v⟩ = σ'(λ_i)/|B| · ⟨∇CE_i, v⟩; the directional derivative of each CE_i
  // comes from two forward passes.
  const double h = 1e-5 * (1.0 + y.norm()) / nv;
  Vec lp, lm;
  model_.loss(y + h * v, tx_, ty_, nullptr, nullptr, &lp);
  model_.loss(y - h * v, tx_, ty_, nullptr, nullptr, &lm);
  const double n = double(tb_.size());
  for (std::size_t k = 0; k < tb_.size(); ++k) {
    const double s = sigmoid(x(tb_[k]));
    out(tb_[k]) += s * (1 - s) / n * (lp(Eigen::Index(k)) - lm(Eigen::Index(k))) / (2 * h);
  }
}

double roc_auc(const Vec& score, const std::vector<bool>& positive) {
  if (Eigen::Index(positive.size()) != score.size()) throw Error("roc_auc: size mismatch");
  std::vector<Eigen::Index> idx(positive.size());
  std::iota(idx.begin(), idx.end(), Eigen::Index(0));
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return score(a) < score(b); });
  // Mann-Whitney U with average ranks for ties.
  double rank_sum = 0, npos = 0;
  for (std::size_t k = 0; k < idx.size();) {
    std::size_t e = k;
    while (e + 1 < idx.size() && score(idx[e + 1]) == score(idx[k])) ++e;
    const double r = 0.5 * double(k + e) + 1.0;
    for (std::size_t q = k; q <= e; ++q)
      if (positive[std::size_t(idx[q])]) rank_sum += r, npos += 1;
    k = e + 1;
  }
  const double nneg = double(idx.size()) - npos;
  if (npos == 0 || nneg == 0) return std::nan("");
  return (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
}

}  // namespace descent::bilevel
