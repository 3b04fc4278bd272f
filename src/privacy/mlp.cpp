#include "descent/privacy/mlp.hpp"

#include <cmath>
#include <random>

#include "descent/core/error.hpp"
#include "descent/core/model_spec.hpp"

namespace descent::privacy {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Stable, vectorised forms sharing one exp per entry: with E = exp(-|h|),
// softplus(h) = max(h, 0) + log1p(E) and sigmoid(h) = 1/(1 + E) (h >= 0) or E/(1 + E) (h < 0).
// (Eigen's packet exp/log1p make these several times faster than scalar std::exp/log1p.)
Eigen::ArrayXXd softplus(const Eigen::ArrayXXd& h, const Eigen::ArrayXXd& E) {
  return h.max(0.0) + E.log1p();
}
Eigen::ArrayXXd sigmoid(const Eigen::ArrayXXd& h, const Eigen::ArrayXXd& E) {
  const Eigen::ArrayXXd inv = (1.0 + E).inverse();
  return (h >= 0.0).select(inv, E * inv);
}

struct Views {
  Eigen::Map<const RowMajor> W1;
  Eigen::Map<const Eigen::VectorXd> b1, w2;
  double b2;
};

Views views(const MlpShape& s, const Eigen::VectorXd& p) {
  if (p.size() != s.dimension())
    throw Error("MLP " + s.to_string() + " has " + std::to_string(s.dimension()) +
                " parameters, got a vector of length " + std::to_string(p.size()));
  const double* d = p.data();
  const Eigen::Index H = s.hidden, IN = s.inputs;
  return {Eigen::Map<const RowMajor>(d, H, IN), Eigen::Map<const Eigen::VectorXd>(d + H * IN, H),
          Eigen::Map<const Eigen::VectorXd>(d + H * IN + H, H), d[H * IN + 2 * H]};
}

// Pre-activations n x H.
Eigen::MatrixXd hidden_pre(const Views& v, const Eigen::Ref<const Eigen::MatrixXd>& X) {
  Eigen::MatrixXd Hm = X * v.W1.transpose();
  Hm.rowwise() += v.b1.transpose();
  return Hm;
}

// The factored per-sample gradients of the MLP.
class MlpSampleGradients final : public SampleGradients {
 public:
  MlpSampleGradients(const MlpShape& shape, const Eigen::MatrixXd* X,
                     const Eigen::VectorXd* norm2p1)
      : shape_(shape), X_(X), norm2p1_(norm2p1) {}

  Eigen::Index samples() const override { return X_->rows(); }
  Eigen::Index dimension() const override { return shape_.dimension(); }

  void norms(Eigen::VectorXd& out) const override {
    out = (delta.rowwise().squaredNorm().cwiseProduct(*norm2p1_) + a.rowwise().squaredNorm() +
           e.cwiseAbs2())
              .cwiseSqrt();
  }

  void difference_norms(const SampleGradients& other, Eigen::VectorXd& out) const override {
    const auto* o = dynamic_cast<const MlpSampleGradients*>(&other);
    if (o == nullptr || o->X_ != X_)
      throw Error("MLP difference_norms: the other gradients come from another model or data");
    out = ((delta - o->delta).rowwise().squaredNorm().cwiseProduct(*norm2p1_) +
           (a - o->a).rowwise().squaredNorm() + (e - o->e).cwiseAbs2())
              .cwiseSqrt();
  }

  void weighted_sum(const Eigen::VectorXd& w, Eigen::VectorXd& out) const override {
    const Eigen::Index H = shape_.hidden, IN = shape_.inputs;
    if (w.size() != samples()) throw Error("MLP weighted_sum: wrong weight length");
    out.resize(shape_.dimension());
    weighted_delta_.noalias() = w.asDiagonal() * delta;  // n x H, reused between calls
    Eigen::Map<RowMajor>(out.data(), H, IN).noalias() = weighted_delta_.transpose() * *X_;
    out.segment(H * IN, H).noalias() = delta.transpose() * w;
    out.segment(H * IN + H, H).noalias() = a.transpose() * w;
    out[H * IN + 2 * H] = e.dot(w);
  }

  Eigen::MatrixXd delta;  // n x H
  Eigen::MatrixXd a;      // n x H: e_i softplus(h_i)
  Eigen::VectorXd e;      // n: residuals

 private:
  MlpShape shape_;
  const Eigen::MatrixXd* X_;
  const Eigen::VectorXd* norm2p1_;
  mutable Eigen::MatrixXd weighted_delta_;
};

}  // namespace

MlpShape MlpShape::parse(const std::string& spec) {
  // The shared grammar (core/model_spec.hpp); the data may be generated at the spec's input
  // width, so the full form is required here. "IN-H-1" without "mlp:" is the old spelling.
  const MlpSpec m = read_mlp_spec(is_mlp_spec(spec) ? spec : "mlp:" + spec, {"softplus"});
  if (m.widths.size() != 3)
    throw InvalidOption("model", "'" + spec +
                                     "': expected mlp:IN-H-1 (one hidden layer of "
                                     "softplus units, e.g. mlp:20-20-1)");
  if (m.widths[2] != 1)
    throw InvalidOption("model", "'" + spec + "': only a scalar output (...-1) is supported");
  return {m.widths[0], m.widths[1]};
}

std::string MlpShape::to_string() const {
  return "mlp:" + std::to_string(inputs) + "-" + std::to_string(hidden) + "-1";
}

Eigen::VectorXd mlp_initial_parameters(const MlpShape& shape, Rng& rng) {
  const Eigen::Index H = shape.hidden, IN = shape.inputs;
  Eigen::VectorXd p = Eigen::VectorXd::Zero(shape.dimension());
  p.head(H * IN) = normal_vector(rng, H * IN) / std::sqrt(double(IN));
  p.segment(H * IN + H, H) = normal_vector(rng, H) / std::sqrt(double(H));
  return p;
}

Eigen::VectorXd mlp_predict(const MlpShape& shape, const Eigen::VectorXd& params,
                            const Eigen::Ref<const Eigen::MatrixXd>& X) {
  if (X.cols() != shape.inputs)
    throw Error("MLP " + shape.to_string() + " expects " + std::to_string(shape.inputs) +
                " features, got " + std::to_string(X.cols()));
  const Views v = views(shape, params);
  const Eigen::ArrayXXd h = hidden_pre(v, X).array();
  const Eigen::MatrixXd S = softplus(h, (-h.abs()).exp()).matrix();
  Eigen::VectorXd f = S * v.w2;
  f.array() += v.b2;
  return f;
}

MlpRegression::MlpRegression(MlpShape shape, Eigen::MatrixXd X, Eigen::VectorXd y)
    : shape_(shape), X_(std::move(X)), y_(std::move(y)) {
  if (X_.rows() == 0) throw Error("MlpRegression: empty data set");
  if (X_.cols() != shape_.inputs)
    throw Error("MlpRegression: the model " + shape_.to_string() + " expects " +
                std::to_string(shape_.inputs) + " features but the data has " +
                std::to_string(X_.cols()));
  if (y_.size() != X_.rows())
    throw Error("MlpRegression: " + std::to_string(X_.rows()) + " rows but " +
                std::to_string(y_.size()) + " targets");
  row_norm2_plus1_ = X_.rowwise().squaredNorm();
  row_norm2_plus1_.array() += 1.0;
}

double MlpRegression::loss(const Eigen::VectorXd& x) const {
  return 0.5 * (mlp_predict(shape_, x, X_) - y_).squaredNorm() / static_cast<double>(samples());
}

std::unique_ptr<SampleGradients> MlpRegression::make_sample_gradients() const {
  return std::make_unique<MlpSampleGradients>(shape_, &X_, &row_norm2_plus1_);
}

void MlpRegression::sample_gradients(const Eigen::VectorXd& x, SampleGradients& out) const {
  auto* g = dynamic_cast<MlpSampleGradients*>(&out);
  if (g == nullptr || g->samples() != samples())
    throw Error("MlpRegression::sample_gradients: container not made by this objective");
  const Views v = views(shape_, x);
  const Eigen::ArrayXXd h = hidden_pre(v, X_).array();
  const Eigen::ArrayXXd E = (-h.abs()).exp();
  g->a = softplus(h, E).matrix();  // softplus(h) for now
  g->e = g->a * v.w2;
  g->e.array() += v.b2 - y_.array();
  g->delta = (sigmoid(h, E).colwise() * g->e.array()).rowwise() * v.w2.transpose().array();
  g->a.array().colwise() *= g->e.array();
}

double MlpRegression::loss_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  MlpSampleGradients s(shape_, &X_, &row_norm2_plus1_);
  sample_gradients(x, s);
  const double n = static_cast<double>(samples());
  s.weighted_sum(Eigen::VectorXd::Constant(samples(), 1.0 / n), g);
  return 0.5 * s.e.squaredNorm() / n;
}

Eigen::MatrixXd MlpRegression::sample_gradient_matrix(const Eigen::VectorXd& x) const {
  MlpSampleGradients s(shape_, &X_, &row_norm2_plus1_);
  sample_gradients(x, s);
  const Eigen::Index n = samples(), H = shape_.hidden, IN = shape_.inputs;
  Eigen::MatrixXd G(n, shape_.dimension());
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < H; ++j) G.row(i).segment(j * IN, IN) = s.delta(i, j) * X_.row(i);
    G.row(i).segment(H * IN, H) = s.delta.row(i);
    G.row(i).segment(H * IN + H, H) = s.a.row(i);
    G(i, H * IN + 2 * H) = s.e[i];
  }
  return G;
}

TeacherTask::TeacherTask(MlpShape shape, std::uint64_t seed, double label_noise)
    : shape_(shape), seed_(seed), noise_(label_noise) {
  if (!(label_noise >= 0)) throw Error("TeacherTask: label noise must be >= 0");
  Rng rng = make_rng(seed, {0x7eac'4e50ULL});
  const Eigen::Index H = shape.hidden, IN = shape.inputs;
  teacher_ = Eigen::VectorXd::Zero(shape.dimension());  // biases 0
  teacher_.head(H * IN) = normal_vector(rng, H * IN) / std::sqrt(double(IN));
  teacher_.segment(H * IN + H, H) = normal_vector(rng, H) / std::sqrt(double(H));
  // Centre by the teacher's population mean, estimated on an independent sample, so that no
  // worker's labels depend on another worker's records.
  Rng crng = make_rng(seed, {0xce47'4e00ULL});
  const Eigen::MatrixXd Xc = normal_matrix(crng, 20000, IN);
  centre_ = mlp_predict(shape_, teacher_, Xc).mean();
}

TeacherTask::Data TeacherTask::sample(Eigen::Index n, std::uint64_t stream) const {
  Rng rng = make_rng(seed_, {0xda7a'0000ULL, stream});
  Data d;
  d.X = normal_matrix(rng, n, shape_.inputs);
  d.y = mlp_predict(shape_, teacher_, d.X);
  d.y.array() -= centre_;
  d.y += noise_ * normal_vector(rng, n);
  return d;
}

}  // namespace descent::privacy
