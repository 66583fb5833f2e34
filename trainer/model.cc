#include "trainer/model.h"

#include "trainer/backend.h"

namespace cratedig::trainer {

Model::Model(std::unique_ptr<Net> net) : net_(std::move(net)) {}
Model::~Model() = default;

Result<std::unique_ptr<Model>> Model::Create(const std::string& backend,
                                             const std::string& network,
                                             int classes, int height, int width,
                                             int64_t seed,
                                             bool per_frequency_norm) {
  NetSpec spec;
  spec.per_frequency_norm = per_frequency_norm;
  spec.backend = backend;
  spec.network = network;
  spec.classes = classes;
  spec.height = height;
  spec.width = width;
  spec.seed = seed;
  CRATEDIG_ASSIGN_OR_RETURN(auto net, CreateNet(spec));
  return std::unique_ptr<Model>(new Model(std::move(net)));
}

Status Model::LoadCheckpoint(const std::string& path) {
  return net_->LoadCheckpoint(path, nullptr);
}

Status Model::Forward(const float* x, int n, std::vector<float>* probs,
                      std::vector<float>* embeddings) {
  return net_->Forward(BatchView{x, nullptr, n}, probs, embeddings);
}

const std::string& Model::backend() const { return net_->spec().backend; }
int Model::classes() const { return net_->spec().classes; }
int Model::height() const { return net_->spec().height; }
int Model::width() const { return net_->spec().width; }
int Model::embedding_dim() { return kEmbeddingDimension; }

}  // namespace cratedig::trainer
