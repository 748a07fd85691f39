#include "engine/admin/admin_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/net/node_server.h"

namespace iris::admin {

namespace beast = boost::beast;
namespace http = beast::http;

AdminClient::AdminClient(std::string address, std::string token, std::chrono::milliseconds timeout)
    : address_(std::move(address)), token_(std::move(token)), timeout_(timeout) {}

Result<AdminReply> AdminClient::request(const std::string& method, const std::string& target,
                                        const std::string& body) const {
  auto ep = net::parse_endpoint(address_);
  if (!ep) return ep.status();
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout_);
  beast::error_code ec;
  stream.connect(*ep, ec);
  if (ec) return Status::unavailable(address_ + ": " + ec.message());
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, address_);
  req.set(http::field::authorization, "Bearer " + token_);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return Status::unavailable(address_ + ": " + ec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16u << 20);
  http::read(stream, buf, parser, ec);
  if (ec) return Status::unavailable(address_ + ": " + ec.message());
  AdminReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = parser.get().body();
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return reply;
}

}  // namespace iris::admin
