// What almost every feature, hub and endpoint file names: the mediator, the wire contracts and the domain types.
global using Mediator;
global using RoamingHub.Contracts;
global using RoamingHub.Server.Domain;
