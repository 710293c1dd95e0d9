"""The one place that uses strawberry's and graphql-core's internals: the executor, the
prepared-document path, error logging, operation metrics, the view and its websocket
handlers, and the schema's construction. The domain packages use strawberry's public
decorators, and GraphQLError from here."""
from graphql import GraphQLError

__all__ = ["GraphQLError"]
