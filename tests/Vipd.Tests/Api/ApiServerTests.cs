using Vipd.Api;

namespace Vipd.Tests.Api;

public sealed class ApiServerTests
{
    [Fact]
    public void VipdServiceName_IsTheProtoServiceFullName() =>
        Assert.Equal(ApiServer.VipdServiceName, Vipd.Api.V1.VipdService.Descriptor.FullName);
}
