#pragma once
// The TLS contexts of a node's listeners (clients, admin API) and of its peer links: one policy.

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace iris::net {

// A context for TLS 1.2 and later (SSLv2/3, TLS 1.0 and 1.1 refused) that presents the
// certificate chain in `cert_chain` with the PEM private key in `key`. Null, with `error` set,
// when either cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(
    boost::asio::ssl::context::method method, const std::string& cert_chain,
    const std::string& key, boost::system::error_code& error);

}  // namespace iris::net
