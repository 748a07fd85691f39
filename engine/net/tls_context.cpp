#include "engine/net/tls_context.h"

namespace iris::net {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_tls_context(ssl::context::method method,
                                               const std::string& cert_chain,
                                               const std::string& key,
                                               boost::system::error_code& error) {
  auto ctx = std::make_unique<ssl::context>(method);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error.clear();
  ctx->use_certificate_chain_file(cert_chain, error);
  if (!error) ctx->use_private_key_file(key, ssl::context::pem, error);
  if (error) return nullptr;
  return ctx;
}

}  // namespace iris::net
