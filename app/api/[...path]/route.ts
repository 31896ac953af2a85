import { apiError } from "@/lib/http/errors";

/** Unknown API paths answer in the documented error shape, not with the HTML 404 page. */
function notFound(req: Request) {
  return apiError(404, "not_found", `no API at ${new URL(req.url).pathname}`);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
