// The API reference: Swagger UI (self-hosted from the pinned swagger-ui-dist package) over
// /openapi.json of this same origin. "Authorize" takes a token (make -s token USER=admin, or the
// console's session), kept for this tab, and "Try it out" sends requests to this origin.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: false,
  displayOperationId: true,
  defaultModelsExpandDepth: 0,
});
